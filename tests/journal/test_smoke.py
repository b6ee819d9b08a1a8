from __future__ import annotations


def test_teacher_home_lists_their_course(world, client_for):
    response = client_for("teacher").get("/")
    assert response.status_code == 200
    assert "Математика" in response.content.decode()
