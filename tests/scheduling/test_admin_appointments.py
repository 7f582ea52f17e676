"""Appointments in the admin: saves go through scheduling.services, so the overlap rule holds there too."""
import pytest

from scheduling.models import Appointment
from tests.factories import AppointmentFactory, EstimatorFactory, ServiceFactory, UserFactory
from tests.helpers import at
from webhooks.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _form(service, estimator, **overrides) -> dict:
    return {
        "first_name": "Jane", "last_name": "Smith", "email": "jane@example.com", "phone": "1",
        "scheduled_time_0": "2030-01-07", "scheduled_time_1": "14:00:00", "duration_minutes": "",
        "service": service.id, "estimator": estimator.id, "status": "scheduled", "notes": "", **overrides,
    }


def test_the_changelist_filters_by_estimator_status_and_date(admin_client):
    appointment = AppointmentFactory()

    response = admin_client.get(
        f"/admin/scheduling/appointment/?estimator__id__exact={appointment.estimator_id}&status__exact=scheduled"
    )

    assert response.status_code == 200
    assert appointment.last_name.encode() in response.content


def test_adding_an_appointment_in_the_admin_uses_the_services_duration_and_emits(admin_client):
    service, estimator = ServiceFactory(duration_minutes=45), EstimatorFactory()

    response = admin_client.post("/admin/scheduling/appointment/add/", _form(service, estimator))

    assert response.status_code == 302, response.content
    appointment = Appointment.objects.get()
    assert appointment.duration_minutes == 45
    assert Event.objects.filter(type="appointment.created").count() == 1


def test_an_overlapping_booking_in_the_admin_is_a_form_error_not_a_500(admin_client):
    service, estimator = ServiceFactory(), EstimatorFactory()
    admin_client.post("/admin/scheduling/appointment/add/", _form(service, estimator))

    response = admin_client.post(
        "/admin/scheduling/appointment/add/", _form(service, estimator, scheduled_time_1="14:30:00")
    )

    assert response.status_code == 200
    assert b"already has appointment" in response.content
    assert Appointment.objects.count() == 1
    assert Event.objects.filter(type="appointment.created").count() == 1


def test_moving_an_appointment_in_the_admin_onto_another_is_refused(admin_client):
    service, estimator = ServiceFactory(), EstimatorFactory()
    admin_client.post("/admin/scheduling/appointment/add/", _form(service, estimator))
    admin_client.post("/admin/scheduling/appointment/add/", _form(service, estimator, scheduled_time_1="16:00:00"))
    later = Appointment.objects.get(scheduled_time__hour=16)

    response = admin_client.post(
        f"/admin/scheduling/appointment/{later.id}/change/",
        _form(service, estimator, scheduled_time_1="14:15:00", duration_minutes="60"),
    )

    assert response.status_code == 200
    later.refresh_from_db()
    assert later.scheduled_time.hour == 16


def test_the_cancel_action_frees_the_slot_through_the_service(admin_client):
    appointment = AppointmentFactory()

    admin_client.post(
        "/admin/scheduling/appointment/", {"action": "cancel_appointments", "_selected_action": [appointment.id]}
    )

    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert Event.objects.filter(type="appointment.updated").count() == 1


def test_the_cancel_action_leaves_a_finished_appointment_alone_and_says_why(admin_client):
    done, open_one = AppointmentFactory(status="completed"), AppointmentFactory(status="confirmed")

    response = admin_client.post(
        "/admin/scheduling/appointment/",
        {"action": "cancel_appointments", "_selected_action": [done.id, open_one.id]}, follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert any(f"Appointment {done.id}: Cannot move appointment {done.id} from 'completed'" in m for m in messages)
    assert "Cancelled 1 appointment(s)." in messages
    assert Appointment.objects.get(pk=done.id).status == "completed"
    assert Appointment.objects.get(pk=open_one.id).status == "cancelled"


def test_reopening_a_cancelled_appointment_in_the_admin_is_a_form_error(admin_client):
    service, estimator = ServiceFactory(), EstimatorFactory()
    appointment = AppointmentFactory(service=service, estimator=estimator, status="cancelled",
                                     scheduled_time=at("2030-01-07T14:00:00Z"))

    response = admin_client.post(
        f"/admin/scheduling/appointment/{appointment.id}/change/", _form(service, estimator, duration_minutes="60"),
    )

    assert response.status_code == 200
    assert "Allowed transitions from &#x27;cancelled&#x27;: none" in response.content.decode()
    assert Appointment.objects.get(pk=appointment.id).status == "cancelled"
    assert not Event.objects.filter(type="appointment.updated").exists()


def test_a_service_longer_than_a_day_is_refused_on_the_form(admin_client):
    from scheduling.models import Service

    response = admin_client.post("/admin/scheduling/service/add/", {"name": "Survey", "duration_minutes": "2880",
                                                                     "is_active": "on"})
    assert response.status_code == 200
    assert "less than or equal to 1440" in response.content.decode()
    assert not Service.objects.exists()


def test_a_booking_at_the_end_of_the_calendar_is_a_form_error(admin_client):
    service, estimator = ServiceFactory(), EstimatorFactory()
    response = admin_client.post(
        "/admin/scheduling/appointment/add/",
        _form(service, estimator, scheduled_time_0="9999-12-31", scheduled_time_1="23:30:00"),
    )
    assert response.status_code == 200
    assert "9998" in response.content.decode()
    assert not Appointment.objects.exists()
