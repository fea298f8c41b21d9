"""The network's administration (SPEC §12): each change one audited transaction, reaching every face."""
from .catalogue import (
    agencies, change_agency, change_life_event, change_service, create_agency, create_life_event, create_service,
    life_events, services,
)
from .centres import add_counter, centres, change_centre, change_counter, create_centre, remove_exception, set_exception
from .devices import (
    PrintCheck, PrintTarget, change_device, create_device, device_view, devices, record_test_print, revoke_device, test_print_target,
)
from .languages import LanguageRow, add_language, change_language, interface_languages, languages, remove_language
from .people import change_staff, create_staff, reset_password, staff_list
from .policy import centre_policy, change_centre_policy, change_network_policy, network_policy

__all__ = [
    "agencies", "change_agency", "change_life_event", "change_service", "create_agency", "create_life_event",
    "create_service", "life_events", "services",
    "add_counter", "centres", "change_centre", "change_counter", "create_centre", "remove_exception", "set_exception",
    "PrintCheck", "PrintTarget", "change_device", "create_device", "device_view", "devices", "record_test_print", "revoke_device",
    "test_print_target",
    "LanguageRow", "add_language", "change_language", "interface_languages", "languages", "remove_language",
    "change_staff", "create_staff", "reset_password", "staff_list",
    "centre_policy", "change_centre_policy", "change_network_policy", "network_policy",
]
