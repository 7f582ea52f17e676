"""Cancelling appointments in the admin needs the change permission, not only the view one."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from scheduling.models import Appointment
from tests.factories import AppointmentFactory
from tests.helpers import admin_actions_offered
from webhooks.models import Event

pytestmark = pytest.mark.django_db

APPOINTMENTS = "/admin/scheduling/appointment/"


def test_only_a_user_who_may_change_appointments_cancels_them(make_admin_client):
    # given
    viewer = make_admin_client("scheduling.view_appointment")
    changer = make_admin_client("scheduling.view_appointment", "scheduling.change_appointment")
    appointment = AppointmentFactory()
    # when a view-only user forges the cancel action
    viewer.post(APPOINTMENTS, {"action": "cancel_appointments", ACTION_CHECKBOX_NAME: [appointment.pk]})
    # then it is not offered and the appointment still holds its slot
    assert "cancel_appointments" not in admin_actions_offered(viewer, APPOINTMENTS)
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.SCHEDULED
    assert not Event.objects.filter(type="appointment.updated").exists()
    # when the user who may change appointments cancels it
    assert "cancel_appointments" in admin_actions_offered(changer, APPOINTMENTS)
    changer.post(APPOINTMENTS, {"action": "cancel_appointments", ACTION_CHECKBOX_NAME: [appointment.pk]})
    # then
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.CANCELLED
    assert Event.objects.filter(type="appointment.updated").count() == 1
