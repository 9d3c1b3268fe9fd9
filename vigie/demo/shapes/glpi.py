"""GLPI 11.0.7 / 10.0.x tables that hold personal data, as SQLAlchemy Core metadata.

Names, order and types follow `reference/glpi-dolibarr-personal-data.md` (part 1 and the column
index of part 3), itself read from GLPI's `install/mysql/glpi-11.0.7-empty.sql` and
`glpi-10.0.20-empty.sql`. GLPI declares no foreign keys: links are plain integers where 0 means
"none", so none are declared here either. Only the keys a manifest or a fill relies on (unique
logins and e-mails, the actor and polymorphic look-ups) are declared, under GLPI's own names.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import MetaData

from vigie.demo.shapes.columns import build_table
from vigie.demo.shapes.glpi_tables import SPECS

Version = Literal["10", "11"]

USERS = """
id int unsigned pk
name varchar(255)
password varchar(255)
password_last_update timestamp
phone varchar(255)
phone2 varchar(255)
mobile varchar(255)
realname varchar(255)
firstname varchar(255)
locations_id int unsigned nn d=0
language char(10)
use_mode int nn d=0
list_limit int
is_active tinyint nn d=1
comment text
auths_id int unsigned nn d=0
authtype int nn d=0
last_login timestamp
date_mod timestamp
date_sync timestamp
is_deleted tinyint nn d=0
profiles_id int unsigned nn d=0
entities_id int unsigned d=0
usertitles_id int unsigned nn d=0
usercategories_id int unsigned nn d=0
date_format int
number_format int
names_format int
csv_delimiter char(1)
is_ids_visible tinyint
use_flat_dropdowntree tinyint
use_flat_dropdowntree_on_search_result tinyint
show_jobs_at_login tinyint
priority_1 char(20)
priority_2 char(20)
priority_3 char(20)
priority_4 char(20)
priority_5 char(20)
priority_6 char(20)
followup_private tinyint
task_private tinyint
default_requesttypes_id int unsigned
password_forget_token {token}
password_forget_token_date timestamp
user_dn text
user_dn_hash varchar(32)
registration_number varchar(255)
show_count_on_tabs tinyint
refresh_views int
set_default_tech tinyint
set_followup_tech tinyint        # 11
set_solution_tech tinyint        # 11
personal_token varchar(255)
personal_token_date timestamp
api_token varchar(255)
api_token_date timestamp
cookie_token varchar(255)
cookie_token_date timestamp
display_count_on_home int
notification_to_myself tinyint
duedateok_color varchar(255)
duedatewarning_color varchar(255)
duedatecritical_color varchar(255)
duedatewarning_less int
duedatecritical_less int
duedatewarning_unit varchar(255)
duedatecritical_unit varchar(255)
display_options text             # 10
is_deleted_ldap tinyint nn d=0
pdffont varchar(255)
picture varchar(255)
begin_date timestamp
end_date timestamp
keep_devices_when_purging_item tinyint
privatebookmarkorder longtext
backcreated tinyint
task_state int
planned_task_state int           # 11
palette char(20)
page_layout char(20)
fold_menu tinyint
fold_search tinyint              # 10
savedsearches_pinned text
timeline_order char(20)
itil_layout text
richtext_layout char(20)
set_default_requester tinyint
lock_autolock_mode tinyint
lock_directunlock_notification tinyint
date_creation timestamp
highcontrast_css tinyint d=0
plannings text
sync_field varchar(255)
groups_id int unsigned nn d=0
users_id_supervisor int unsigned nn d=0
timezone varchar(50)
default_dashboard_central varchar(100)
default_dashboard_assets varchar(100)
default_dashboard_helpdesk varchar(100)
default_dashboard_mini_ticket varchar(100)
default_central_tab tinyint d=0
nickname varchar(255)
substitution_end_date timestamp  # 11
substitution_start_date timestamp  # 11
toast_location varchar(255)      # 11
timeline_action_btn_layout tinyint
timeline_date_format tinyint
2fa text                         # 11
2fa_unenforced tinyint nn d=0    # 11
password_history longtext        # 11
is_notif_enable_default tinyint  # 11
show_search_form tinyint         # 11
search_pagination_on_top tinyint  # 11
"""
USERS_10_ONLY = {"display_options", "fold_search"}
USERS_11_ONLY = {
    "set_followup_tech",
    "set_solution_tech",
    "planned_task_state",
    "substitution_end_date",
    "substitution_start_date",
    "toast_location",
    "2fa",
    "2fa_unenforced",
    "password_history",
    "is_notif_enable_default",
    "show_search_form",
    "search_pagination_on_top",
}

USEREMAILS = """
id int unsigned pk
users_id int unsigned nn d=0
is_default tinyint nn d=0
is_dynamic tinyint nn d=0
email varchar(255)
"""

ENTITIES = """
id int unsigned pk
name varchar(255)
entities_id int unsigned d=0
completename text
comment text
level int nn d=0
sons_cache longtext
ancestors_cache longtext
registration_number varchar(255)
address text
postcode varchar(255)
town varchar(255)
state varchar(255)
country varchar(255)
website varchar(255)
phonenumber varchar(255)
fax varchar(255)
email varchar(255)
admin_email varchar(255)
admin_email_name varchar(255)
from_email varchar(255)
from_email_name varchar(255)
noreply_email varchar(255)
noreply_email_name varchar(255)
replyto_email varchar(255)
replyto_email_name varchar(255)
notification_subject_tag varchar(255)
ldap_dn varchar(255)
tag varchar(255)
authldaps_id int unsigned nn d=0
mail_domain varchar(255)
entity_ldapfilter text
mailing_signature text
url_base text
cartridges_alert_repeat int nn d=-2
consumables_alert_repeat int nn d=-2
use_licenses_alert int nn d=-2
send_licenses_alert_before_delay int nn d=-2
use_certificates_alert int nn d=-2
send_certificates_alert_before_delay int nn d=-2
certificates_alert_repeat_interval int nn d=-2
use_contracts_alert int nn d=-2
send_contracts_alert_before_delay int nn d=-2
use_infocoms_alert int nn d=-2
send_infocoms_alert_before_delay int nn d=-2
use_reservations_alert int nn d=-2
use_domains_alert int nn d=-2
send_domains_alert_close_expiries_delay int nn d=-2
send_domains_alert_expired_delay int nn d=-2
autoclose_delay int nn d=-2
autopurge_delay int nn d=-2
notclosed_delay int nn d=-2
calendars_strategy tinyint nn d=-2
calendars_id int unsigned nn d=0
auto_assign_mode int nn d=-2
tickettype int nn d=-2
max_closedate timestamp
inquest_config int nn d=-2
inquest_rate int nn d=0
inquest_delay int nn d=-10
inquest_URL text
inquest_max_rate int nn d=5
inquest_default_rate int nn d=3
inquest_mandatory_comment int nn d=0
max_closedate_change timestamp
inquest_config_change int nn d=-2
inquest_rate_change int nn d=0
inquest_delay_change int nn d=-10
inquest_URL_change text
inquest_max_rate_change int nn d=5
inquest_default_rate_change int nn d=3
inquest_mandatory_comment_change int nn d=0
autofill_warranty_date varchar(255) nn d=-2
autofill_use_date varchar(255) nn d=-2
autofill_buy_date varchar(255) nn d=-2
autofill_delivery_date varchar(255) nn d=-2
autofill_order_date varchar(255) nn d=-2
tickettemplates_strategy tinyint nn d=-2
tickettemplates_id int unsigned nn d=0
changetemplates_strategy tinyint nn d=-2
changetemplates_id int unsigned nn d=0
problemtemplates_strategy tinyint nn d=-2
problemtemplates_id int unsigned nn d=0
entities_strategy_software tinyint nn d=-2
entities_id_software int unsigned nn d=0
default_contract_alert int nn d=-2
default_infocom_alert int nn d=-2
default_cartridges_alarm_threshold int nn d=-2
default_consumables_alarm_threshold int nn d=-2
delay_send_emails int nn d=-2
is_notif_enable_default int nn d=-2
inquest_duration int nn d=0
inquest_duration_change int nn d=0
date_mod timestamp
date_creation timestamp
autofill_decommission_date varchar(255) nn d=-2
suppliers_as_private int nn d=-2
anonymize_support_agents int nn d=-2
display_users_initials int nn d=-2
contracts_strategy_default tinyint nn d=-2
contracts_id_default int unsigned nn d=0
enable_custom_css int nn d=-2
custom_css_code text
latitude varchar(255)
longitude varchar(255)
altitude varchar(255)
transfers_strategy tinyint nn d=-2
transfers_id int unsigned nn d=0
agent_base_url varchar(255)
approval_reminder_repeat_interval int nn d=-2
2fa_enforcement_strategy tinyint nn d=-2
is_contact_autoupdate tinyint nn d=-2
is_user_autoupdate tinyint nn d=-2
is_group_autoupdate tinyint nn d=-2
is_location_autoupdate tinyint nn d=-2
state_autoupdate_mode int nn d=-2
is_contact_autoclean tinyint nn d=-2
is_user_autoclean tinyint nn d=-2
is_group_autoclean tinyint nn d=-2
is_location_autoclean tinyint nn d=-2
state_autoclean_mode int nn d=-2
show_tickets_properties_on_helpdesk int nn d=-2
custom_helpdesk_home_scene_left varchar(255) nn d=-2
custom_helpdesk_home_scene_right varchar(255) nn d=-2
custom_helpdesk_home_title varchar(255) nn d=-2
enable_helpdesk_home_search_bar tinyint nn d=-2
enable_helpdesk_service_catalog tinyint nn d=-2
expand_service_catalog tinyint nn d=-2
"""
# The 32 configuration columns GLPI 11 added (reference 1.0 and the 10.0.20 index).
ENTITIES_11_ONLY = {
    "url_base",
    "inquest_max_rate",
    "inquest_default_rate",
    "inquest_mandatory_comment",
    "max_closedate_change",
    "inquest_config_change",
    "inquest_rate_change",
    "inquest_delay_change",
    "inquest_URL_change",
    "inquest_max_rate_change",
    "inquest_default_rate_change",
    "inquest_mandatory_comment_change",
    "inquest_duration_change",
    "approval_reminder_repeat_interval",
    "2fa_enforcement_strategy",
    "is_contact_autoupdate",
    "is_user_autoupdate",
    "is_group_autoupdate",
    "is_location_autoupdate",
    "state_autoupdate_mode",
    "is_contact_autoclean",
    "is_user_autoclean",
    "is_group_autoclean",
    "is_location_autoclean",
    "state_autoclean_mode",
    "show_tickets_properties_on_helpdesk",
    "custom_helpdesk_home_scene_left",
    "custom_helpdesk_home_scene_right",
    "custom_helpdesk_home_title",
    "enable_helpdesk_home_search_bar",
    "enable_helpdesk_service_catalog",
    "expand_service_catalog",
}

TICKETS = """
id int unsigned pk
entities_id int unsigned nn d=0
name varchar(255)
date timestamp
closedate timestamp
solvedate timestamp
takeintoaccountdate timestamp
date_mod timestamp
users_id_lastupdater int unsigned nn d=0
status int nn d=1
users_id_recipient int unsigned nn d=0
requesttypes_id int unsigned nn d=0
content longtext
urgency int nn d=1
impact int nn d=1
priority int nn d=1
itilcategories_id int unsigned nn d=0
type int nn d=1
global_validation int nn d=1
slas_id_ttr int unsigned nn d=0
slas_id_tto int unsigned nn d=0
slalevels_id_ttr int unsigned nn d=0
time_to_resolve timestamp
time_to_own timestamp
begin_waiting_date timestamp
sla_waiting_duration int nn d=0
ola_waiting_duration int nn d=0
olas_id_tto int unsigned nn d=0
olas_id_ttr int unsigned nn d=0
olalevels_id_ttr int unsigned nn d=0
ola_tto_begin_date timestamp
ola_ttr_begin_date timestamp
internal_time_to_resolve timestamp
internal_time_to_own timestamp
waiting_duration int nn d=0
close_delay_stat int nn d=0
solve_delay_stat int nn d=0
takeintoaccount_delay_stat int nn d=0
actiontime int nn d=0
is_deleted tinyint nn d=0
locations_id int unsigned nn d=0
validation_percent int nn d=0    # 10
date_creation timestamp
tickettemplates_id int unsigned nn d=0  # 11
externalid varchar(255)          # 11
"""

TICKETS_USERS = """
id int unsigned pk
tickets_id int unsigned nn d=0
users_id int unsigned nn d=0
type int nn d=1
use_notification tinyint nn d=1
alternative_email varchar(255)
"""

ITILFOLLOWUPS = """
id int unsigned pk
itemtype varchar(100) nn
items_id int unsigned nn d=0
date timestamp
users_id int unsigned nn d=0
users_id_editor int unsigned nn d=0
content longtext
is_private tinyint nn d=0
requesttypes_id int unsigned nn d=0
date_mod timestamp
date_creation timestamp
timeline_position tinyint nn d=0
sourceitems_id int unsigned nn d=0
sourceof_items_id int unsigned nn d=0
"""

TICKETTASKS = """
id int unsigned pk
uuid varchar(255)
tickets_id int unsigned nn d=0
taskcategories_id int unsigned nn d=0
date timestamp
users_id int unsigned nn d=0
users_id_editor int unsigned nn d=0
content longtext
is_private tinyint nn d=0
actiontime int nn d=0
begin timestamp
end timestamp
state int nn d=1
users_id_tech int unsigned nn d=0
groups_id_tech int unsigned nn d=0
date_mod timestamp
date_creation timestamp
tasktemplates_id int unsigned nn d=0
timeline_position tinyint nn d=0
sourceitems_id int unsigned nn d=0
sourceof_items_id int unsigned nn d=0
"""

DOCUMENTS = """
id int unsigned pk
entities_id int unsigned nn d=0
is_recursive tinyint nn d=0
name varchar(255)
filename varchar(255)
filepath varchar(255)
documentcategories_id int unsigned nn d=0
mime varchar(255)
date_mod timestamp
comment text
is_deleted tinyint nn d=0
link varchar(255)
users_id int unsigned nn d=0
tickets_id int unsigned nn d=0
sha1sum char(40)
is_blacklisted tinyint nn d=0
tag varchar(255)
date_creation timestamp
"""

DOCUMENTS_ITEMS = """
id int unsigned pk
documents_id int unsigned nn d=0
items_id int unsigned nn d=0
itemtype varchar(100) nn
entities_id int unsigned nn d=0
is_recursive tinyint nn d=0
date_mod timestamp
users_id int unsigned d=0
timeline_position tinyint nn d=0
date_creation timestamp
date timestamp
"""

LOGS = """
id int unsigned pk
itemtype varchar(100) nn d=''
items_id int unsigned nn d=0
itemtype_link varchar(100) nn d=''
linked_action int nn d=0
user_name varchar(255)
date_mod timestamp
id_search_option int nn d=0
old_value varchar(255)
new_value varchar(255)
old_id int unsigned              # 11
new_id int unsigned              # 11
"""

EVENTS = """
id int unsigned pk
items_id int unsigned nn d=0
type varchar(255)
date timestamp
service varchar(255)
level int nn d=0
message text
"""

COMPUTERS = """
id int unsigned pk
entities_id int unsigned nn d=0
name varchar(255)
serial varchar(255)
otherserial varchar(255)
contact varchar(255)
contact_num varchar(255)
users_id_tech int unsigned nn d=0
groups_id_tech int unsigned nn d=0  # 10
comment text
date_mod timestamp
autoupdatesystems_id int unsigned nn d=0
locations_id int unsigned nn d=0
networks_id int unsigned nn d=0
computermodels_id int unsigned nn d=0
computertypes_id int unsigned nn d=0
is_template tinyint nn d=0
template_name varchar(255)
manufacturers_id int unsigned nn d=0
is_deleted tinyint nn d=0
is_dynamic tinyint nn d=0
users_id int unsigned nn d=0
groups_id int unsigned nn d=0    # 10
states_id int unsigned nn d=0
ticket_tco decimal(20,4) d=0.0000
uuid varchar(255)
date_creation timestamp
is_recursive tinyint nn d=0
last_inventory_update timestamp
last_boot timestamp
"""

NETWORKNAMES = """
id int unsigned pk
entities_id int unsigned nn d=0
items_id int unsigned nn d=0
itemtype varchar(100) nn
name varchar(255)
comment text
fqdns_id int unsigned nn d=0
ipnetworks_id int unsigned nn d=0
is_deleted tinyint nn d=0
is_dynamic tinyint nn d=0
date_mod timestamp
date_creation timestamp
"""

IPADDRESSES = """
id int unsigned pk
entities_id int unsigned nn d=0
items_id int unsigned nn d=0
itemtype varchar(100) nn
version tinyint unsigned d=0
name varchar(255)
binary_0 int unsigned nn d=0
binary_1 int unsigned nn d=0
binary_2 int unsigned nn d=0
binary_3 int unsigned nn d=0
is_deleted tinyint nn d=0
is_dynamic tinyint nn d=0
mainitems_id int unsigned nn d=0
mainitemtype varchar(255)
"""

SUPPLIERS = """
id int unsigned pk
entities_id int unsigned nn d=0
is_recursive tinyint nn d=0
name varchar(255)
suppliertypes_id int unsigned nn d=0
registration_number varchar(255)
address text
postcode varchar(255)
town varchar(255)
state varchar(255)
country varchar(255)
website varchar(255)
phonenumber varchar(255)
comment text
is_deleted tinyint nn d=0
fax varchar(255)
email varchar(255)
date_mod timestamp
date_creation timestamp
is_active tinyint nn d=0
pictures text
"""

CONTACTS = """
id int unsigned pk
entities_id int unsigned nn d=0
is_recursive tinyint nn d=0
name varchar(255)
firstname varchar(255)
registration_number varchar(255)
phone varchar(255)
phone2 varchar(255)
mobile varchar(255)
fax varchar(255)
email varchar(255)
contacttypes_id int unsigned nn d=0
comment text
is_deleted tinyint nn d=0
usertitles_id int unsigned nn d=0
address text
postcode varchar(255)
town varchar(255)
state varchar(255)
country varchar(255)
date_mod timestamp
date_creation timestamp
pictures text
"""

CONTACTS_SUPPLIERS = """
id int unsigned pk
suppliers_id int unsigned nn d=0
contacts_id int unsigned nn d=0
"""

TABLES = (
    "glpi_users",
    "glpi_useremails",
    "glpi_entities",
    "glpi_tickets",
    "glpi_tickets_users",
    "glpi_itilfollowups",
    "glpi_tickettasks",
    "glpi_documents",
    "glpi_documents_items",
    "glpi_logs",
    "glpi_events",
    "glpi_computers",
    "glpi_networknames",
    "glpi_ipaddresses",
    "glpi_suppliers",
    "glpi_contacts",
    "glpi_contacts_suppliers",
)


#: The other personal tables the manifest describes, shaped from the real 11.0.7 schema
#: (glpi_tables.py), with the 10.0.x differences the reference gives (below).
ADDED = (
    "glpi_changes",
    "glpi_problems",
    "glpi_changes_users",
    "glpi_problems_users",
    "glpi_suppliers_tickets",
    "glpi_changes_suppliers",
    "glpi_problems_suppliers",
    "glpi_changetasks",
    "glpi_problemtasks",
    "glpi_ticketvalidations",
    "glpi_changevalidations",
    "glpi_ticketsatisfactions",
    "glpi_changesatisfactions",
    "glpi_itilsolutions",
    "glpi_notimportedemails",
    "glpi_queuednotifications",
    "glpi_queuedwebhooks",
    "glpi_forms_answerssets",
    "glpi_forms_destinations_answerssets_formdestinationitems",
    "glpi_groups_users",
    "glpi_profiles_users",
    "glpi_contracts_users",
    "glpi_softwarelicenses_users",
    "glpi_knowbaseitems_users",
    "glpi_reminders_users",
    "glpi_rssfeeds_users",
    "glpi_savedsearches_users",
    "glpi_validatorsubstitutes",
    "glpi_displaypreferences",
    "glpi_dashboards_filters",
    "glpi_dashboards_dashboards",
    "glpi_items_kanbans",
    "glpi_objectlocks",
    "glpi_planningrecalls",
    "glpi_savedsearches",
    "glpi_savedsearches_alerts",
    "glpi_reminders",
    "glpi_remindertranslations",
    "glpi_planningexternalevents",
    "glpi_rssfeeds",
    "glpi_reservations",
    "glpi_oauth_access_tokens",
    "glpi_oauth_auth_codes",
    "glpi_oauth_refresh_tokens",
    "glpi_knowbaseitems",
    "glpi_knowbaseitems_revisions",
    "glpi_knowbaseitemtranslations",
    "glpi_knowbaseitems_comments",
    "glpi_notepads",
    "glpi_itilcategories",
    "glpi_tasktemplates",
    "glpi_projecttasktemplates",
    "glpi_mailcollectors",
    "glpi_projects",
    "glpi_projecttasks",
    "glpi_projectteams",
    "glpi_projecttaskteams",
    "glpi_monitors",
    "glpi_phones",
    "glpi_printers",
    "glpi_peripherals",
    "glpi_networkequipments",
    "glpi_unmanageds",
    "glpi_softwarelicenses",
    "glpi_certificates",
    "glpi_appliances",
    "glpi_assets_assets",
    "glpi_lines",
    "glpi_softwares",
    "glpi_cables",
    "glpi_cartridgeitems",
    "glpi_consumableitems",
    "glpi_clusters",
    "glpi_databaseinstances",
    "glpi_domains",
    "glpi_domainrecords",
    "glpi_enclosures",
    "glpi_passivedcequipments",
    "glpi_pdus",
    "glpi_racks",
    "glpi_items_devicesimcards",
    "glpi_agents",
    "glpi_items_remotemanagements",
    "glpi_networkports",
    "glpi_refusedequipments",
    "glpi_rulematchedlogs",
    "glpi_lockedfields",
)

#: Tables new in 11.0 (reference 1.0): a 10.0.x database has none of them.
ELEVEN_ONLY_TABLES = frozenset(
    {
        "glpi_groups_items",
        "glpi_forms_answerssets",
        "glpi_forms_destinations_answerssets_formdestinationitems",
        "glpi_validatorsubstitutes",
        "glpi_contracts_users",
        "glpi_softwarelicenses_users",
        "glpi_oauth_access_tokens",
        "glpi_oauth_auth_codes",
        "glpi_oauth_refresh_tokens",
    }
)
_VALIDATION_11 = {
    "itils_validationsteps_id",
    "itilvalidationtemplates_id",
    "itemtype_target",
    "items_id_target",
    "last_reminder_date",
}
#: Columns 11.0 added to tables 10.0.x has (reference 1.0).
ELEVEN_ONLY_COLUMNS: dict[str, set[str]] = {
    "glpi_ticketvalidations": _VALIDATION_11,
    "glpi_changevalidations": _VALIDATION_11,
    "glpi_ticketsatisfactions": {"satisfaction_scaled_to_5"},
    "glpi_queuednotifications": {"attach_documents", "itemtype_trigger", "items_id_trigger"},
    "glpi_notepads": {"visible_from_ticket"},
}
#: 10.0.x assigns groups on the asset row; 11 moved them to glpi_groups_items (reference 1.0).
TEN_GROUP_COLUMNS = "groups_id int unsigned nn d=0\ngroups_id_tech int unsigned nn d=0\n"
TEN_GROUP_TABLES = frozenset(
    {
        "glpi_monitors",
        "glpi_phones",
        "glpi_printers",
        "glpi_peripherals",
        "glpi_networkequipments",
        "glpi_unmanageds",
    }
)


def _add_real(md: MetaData, name: str, version: Version) -> None:
    if version == "10" and name in ELEVEN_ONLY_TABLES:
        return
    spec = SPECS[name]
    drop: set[str] = set()
    if version == "10":
        drop = ELEVEN_ONLY_COLUMNS.get(name, set())
        if name in TEN_GROUP_TABLES:
            spec += TEN_GROUP_COLUMNS
    build_table(md, name, spec, drop=drop)


def full_metadata(version: Version = "11") -> MetaData:
    """Every table of a GLPI `version` database: the personal ones as `metadata` gives them,
    every other table of the real 11.0.7 schema as it is (for 10.0.x, less the 11-only tables)."""
    md = metadata(version)
    for name in SPECS:
        if name not in md.tables:
            _add_real(md, name, version)
    return md


def metadata(version: Version = "11") -> MetaData:
    """Return the personal-data tables of GLPI `version` ("11" for 11.0.x, "10" for 10.0.x)."""
    if version not in ("10", "11"):
        raise ValueError(f"GLPI version must be '10' or '11', not {version!r}")
    eleven = version == "11"
    md = MetaData()
    users_drop = USERS_10_ONLY if eleven else USERS_11_ONLY
    # 10.0.x stores the reset token as char(40), 11 as varchar(255) (reference 1.0).
    users_spec = USERS.format(token="varchar(255)" if eleven else "char(40)")
    build_table(
        md,
        "glpi_users",
        users_spec,
        drop=users_drop,
        unique={"unicityloginauth": ("name", "authtype", "auths_id")},
        indexes={"is_deleted": ("is_deleted",), "date_mod": ("date_mod",)},
    )
    build_table(
        md,
        "glpi_useremails",
        USEREMAILS,
        unique={"unicity": ("users_id", "email")},
        indexes={"email": ("email",)},
    )
    build_table(md, "glpi_entities", ENTITIES, drop=() if eleven else ENTITIES_11_ONLY)
    build_table(
        md,
        "glpi_tickets",
        TICKETS,
        drop={"validation_percent"} if eleven else {"tickettemplates_id", "externalid"},
        indexes={
            "closedate": ("closedate",),
            "users_id_recipient": ("users_id_recipient",),
            "users_id_lastupdater": ("users_id_lastupdater",),
        },
    )
    build_table(
        md,
        "glpi_tickets_users",
        TICKETS_USERS,
        unique={"unicity": ("tickets_id", "type", "users_id", "alternative_email")},
        indexes={"user": ("users_id", "type")},
    )
    build_table(
        md,
        "glpi_itilfollowups",
        ITILFOLLOWUPS,
        indexes={"item": ("itemtype", "items_id"), "users_id": ("users_id",)},
    )
    build_table(
        md,
        "glpi_tickettasks",
        TICKETTASKS,
        unique={"uuid": ("uuid",)},
        # As GLPI 11.0.7's install/mysql/glpi-11.0.7-empty.sql declares them.
        indexes={
            "tickets_id": ("tickets_id",),
            "users_id": ("users_id",),
            "users_id_editor": ("users_id_editor",),
            "users_id_tech": ("users_id_tech",),
        },
    )
    build_table(md, "glpi_documents", DOCUMENTS, indexes={"users_id": ("users_id",)})
    build_table(
        md,
        "glpi_documents_items",
        DOCUMENTS_ITEMS,
        unique={"unicity": ("documents_id", "itemtype", "items_id", "timeline_position")},
        indexes={"item": ("itemtype", "items_id"), "users_id": ("users_id",)},
    )
    build_table(
        md,
        "glpi_logs",
        LOGS,
        drop=() if eleven else {"old_id", "new_id"},
        indexes={"item": ("itemtype", "items_id"), "date_mod": ("date_mod",)},
    )
    build_table(md, "glpi_events", EVENTS, indexes={"date": ("date",)})
    build_table(
        md,
        "glpi_computers",
        COMPUTERS,
        drop={"groups_id", "groups_id_tech"} if eleven else (),
        indexes={"users_id": ("users_id",), "users_id_tech": ("users_id_tech",)},
    )
    build_table(md, "glpi_networknames", NETWORKNAMES, indexes={"item": ("itemtype", "items_id")})
    build_table(
        md,
        "glpi_ipaddresses",
        IPADDRESSES,
        indexes={"mainitem": ("mainitemtype", "mainitems_id", "is_deleted")},
    )
    build_table(md, "glpi_suppliers", SUPPLIERS)
    build_table(md, "glpi_contacts", CONTACTS)
    build_table(
        md,
        "glpi_contacts_suppliers",
        CONTACTS_SUPPLIERS,
        unique={"unicity": ("suppliers_id", "contacts_id")},
        indexes={"contacts_id": ("contacts_id",)},
    )
    for name in ADDED:
        _add_real(md, name, version)
    return md
