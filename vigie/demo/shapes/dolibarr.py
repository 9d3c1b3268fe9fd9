"""Dolibarr 22.0.4 tables that hold personal data (the shipped manifest covers 18+).

Names and order follow the column index (part 3) of `reference/glpi-dolibarr-personal-data.md`,
types its part 2 tables; the few columns the reference lists by name only (multicurrency amounts,
situation invoices, incoterms…) take the types of Dolibarr's `llx_*.sql` files. Dolibarr declares
foreign keys in its `*.key.sql` files; the ones between the tables shaped here are declared too, so
a fixture refuses, like Dolibarr, to delete a third party that still has invoices.
"""

from __future__ import annotations

from sqlalchemy import ForeignKeyConstraint, MetaData

from vigie.demo.shapes.columns import build_table
from vigie.demo.shapes.dolibarr_tables import SPECS

SOCIETE = """
rowid integer pk
nom varchar(128)
name_alias varchar(128)
entity integer nn d=1
ref_ext varchar(255)
statut tinyint d=0
parent integer
status tinyint d=1
code_client varchar(24)
code_fournisseur varchar(24)
tp_payment_reference varchar(25)
accountancy_code_customer_general varchar(32)
code_compta varchar(32)
accountancy_code_supplier_general varchar(32)
code_compta_fournisseur varchar(32)
address varchar(255)
zip varchar(25)
town varchar(50)
fk_departement integer d=0
fk_pays integer d=0
geolat double(24,8)
geolong double(24,8)
geopoint point
georesultcode varchar(16)
phone varchar(30)
phone_mobile varchar(30)
fax varchar(30)
url varchar(255)
email varchar(128)
fk_account integer d=0
socialnetworks text
fk_effectif integer d=0
fk_typent integer
fk_forme_juridique integer d=0
fk_currency varchar(3)
siren varchar(128)
siret varchar(128)
ape varchar(128)
idprof4 varchar(128)
idprof5 varchar(128)
idprof6 varchar(128)
tva_intra varchar(20)
capital double(24,8)
fk_stcomm integer nn d=0
note_private text
note_public text
model_pdf varchar(255)
last_main_doc varchar(255)
prefix_comm varchar(5)
client tinyint d=0
fournisseur tinyint d=0
supplier_account varchar(32)
fk_prospectlevel varchar(12)
fk_incoterms integer
location_incoterms varchar(255)
customer_bad tinyint d=0
customer_rate real d=0
supplier_rate real d=0
remise_client real d=0
remise_supplier real d=0
mode_reglement tinyint
cond_reglement tinyint
deposit_percent varchar(63)
transport_mode tinyint
mode_reglement_supplier tinyint
cond_reglement_supplier tinyint
transport_mode_supplier tinyint
fk_shipping_method integer
tva_assuj tinyint d=1
vat_reverse_charge tinyint d=0
localtax1_assuj tinyint d=0
localtax1_value double(7,4)
localtax2_assuj tinyint d=0
localtax2_value double(7,4)
barcode varchar(180)
fk_barcode_type integer d=0
price_level integer
outstanding_limit double(24,8)
order_min_amount double(24,8)
supplier_order_min_amount double(24,8)
default_lang varchar(6)
logo varchar(255)
logo_squarred varchar(255)
canvas varchar(32)
fk_warehouse integer
webservices_url varchar(255)
webservices_key varchar(128)
accountancy_code_sell varchar(32)
accountancy_code_buy varchar(32)
tms timestamp now
datec datetime
fk_user_creat integer
fk_user_modif integer
fk_multicurrency integer
multicurrency_code varchar(3)
ip varchar(250)
import_key varchar(14)
"""

SOCPEOPLE = """
rowid integer pk
datec datetime
tms timestamp now
fk_soc integer
entity integer nn d=1
ref_ext varchar(255)
name_alias varchar(255)
fk_parent integer
civility varchar(6)
lastname varchar(50)
firstname varchar(50)
address varchar(255)
zip varchar(25)
town varchar(255)
fk_departement integer
fk_pays integer d=0
geolat double(24,8)
geolong double(24,8)
geopoint point
georesultcode varchar(16)
birthday date
poste varchar(255)
phone varchar(30)
phone_perso varchar(30)
phone_mobile varchar(30)
fax varchar(30)
url varchar(255)
email varchar(255)
socialnetworks text
photo varchar(255)
no_email smallint nn d=0
priv smallint nn d=0
fk_prospectlevel varchar(12)
fk_stcommcontact integer nn d=0
fk_user_creat integer d=0
fk_user_modif integer
note_private text
note_public text
default_lang varchar(6)
canvas varchar(32)
import_key varchar(14)
statut tinyint nn d=1
ip varchar(250)
"""

# Multicurrency totals end most document tables with the same five columns.
_MC_TOTALS = """
fk_multicurrency integer
multicurrency_code varchar(3)
multicurrency_tx double(24,8) d=1
multicurrency_total_ht double(24,8) d=0
multicurrency_total_tva double(24,8) d=0
multicurrency_total_ttc double(24,8) d=0
"""

FACTURE = (
    """
rowid integer pk
ref varchar(30) nn
entity integer nn d=1
ref_ext varchar(255)
ref_client varchar(255)
type smallint nn d=0
subtype smallint
fk_soc integer nn
datec datetime
datef date
date_pointoftax date
date_valid date
tms timestamp now
date_closing datetime
paye smallint nn d=0
remise_percent real d=0
remise_absolue real d=0
remise real d=0
close_code varchar(16)
close_missing_amount double(24,8)
close_note varchar(128)
total_tva double(24,8) d=0
localtax1 double(24,8) d=0
localtax2 double(24,8) d=0
revenuestamp double(24,8) d=0
total_ht double(24,8) d=0
total_ttc double(24,8) d=0
fk_statut smallint nn d=0
fk_user_author integer
fk_user_modif integer
fk_user_valid integer
fk_user_closing integer
module_source varchar(32)
pos_source varchar(32)
fk_fac_rec_source integer
fk_facture_source integer
fk_projet integer
increment varchar(10)
fk_account integer
fk_currency varchar(3)
fk_cond_reglement integer nn d=1
fk_mode_reglement integer
date_lim_reglement date
payment_reference varchar(25)
note_private text
note_public text
model_pdf varchar(255)
last_main_doc varchar(255)
fk_input_reason integer
fk_incoterms integer
location_incoterms varchar(255)
fk_transport_mode integer
prorata_discount real
situation_cycle_ref smallint
situation_counter smallint
situation_final smallint
retained_warranty real
retained_warranty_date_limit date
retained_warranty_fk_cond_reglement integer
import_key varchar(14)
extraparams varchar(255)
is_also_delivery_note tinyint nn d=0
"""
    + _MC_TOTALS
)

FACTURE_FOURN = (
    """
rowid integer pk
ref varchar(180) nn
ref_supplier varchar(180) nn
entity integer nn d=1
ref_ext varchar(255)
type smallint nn d=0
subtype smallint
fk_soc integer nn
datec datetime
datef date
date_pointoftax date
date_valid date
tms timestamp now
date_closing datetime
libelle varchar(255)
paye smallint nn d=0
amount double(24,8) nn d=0
remise double(24,8) d=0
close_code varchar(16)
close_missing_amount double(24,8)
close_note varchar(128)
vat_reverse_charge tinyint d=0
tva double(24,8) d=0
total_tva double(24,8) d=0
localtax1 double(24,8) d=0
localtax2 double(24,8) d=0
revenuestamp double(24,8) d=0
total_ht double(24,8) d=0
total_ttc double(24,8) d=0
fk_statut smallint nn d=0
fk_user_author integer
fk_user_modif integer
fk_user_valid integer
fk_user_closing integer
fk_fac_rec_source integer
fk_facture_source integer
fk_projet integer
fk_account integer
fk_cond_reglement integer
fk_mode_reglement integer
date_lim_reglement date
note_private text
note_public text
fk_incoterms integer
location_incoterms varchar(255)
fk_transport_mode integer
model_pdf varchar(255)
last_main_doc varchar(255)
import_key varchar(14)
extraparams varchar(255)
"""
    + _MC_TOTALS
)

FACTUREDET = """
rowid integer pk
fk_facture integer nn
fk_parent_line integer
fk_product integer
label varchar(255)
description text
vat_src_code varchar(10) d=''
tva_tx double(7,4)
localtax1_tx double(7,4) d=0
localtax1_type varchar(10)
localtax2_tx double(7,4) d=0
localtax2_type varchar(10)
qty real
remise_percent real d=0
remise real d=0
fk_remise_except integer
subprice double(24,8)
subprice_ttc double(24,8) d=0
price double(24,8)
total_ht double(24,8)
total_tva double(24,8)
total_localtax1 double(24,8) d=0
total_localtax2 double(24,8) d=0
total_ttc double(24,8)
product_type integer d=0
date_start datetime
date_end datetime
info_bits integer d=0
buy_price_ht double(24,8) d=0
fk_product_fournisseur_price integer
batch varchar(128)
fk_warehouse integer
special_code integer unsigned d=0
rang integer d=0
fk_contract_line integer
fk_unit integer
import_key varchar(14)
fk_code_ventilation integer nn d=0
situation_percent real d=100
fk_prev_id integer
fk_user_author integer
fk_user_modif integer
fk_multicurrency integer
multicurrency_code varchar(3)
multicurrency_subprice double(24,8) d=0
multicurrency_subprice_ttc double(24,8) d=0
multicurrency_total_ht double(24,8) d=0
multicurrency_total_tva double(24,8) d=0
multicurrency_total_ttc double(24,8) d=0
ref_ext varchar(255)
extraparams varchar(255)
"""

PAIEMENT = """
rowid integer pk
ref varchar(30)
ref_ext varchar(255)
entity integer nn d=1
datec datetime
tms timestamp now
datep datetime
amount double(24,8) d=0
multicurrency_amount double(24,8) d=0
fk_paiement integer nn
num_paiement varchar(50)
note text
ext_payment_id varchar(255)
ext_payment_site varchar(128)
fk_bank integer nn d=0
fk_user_creat integer
fk_user_modif integer
statut smallint nn d=0
fk_export_compta integer nn d=0
pos_change double(24,8) d=0
"""

PAIEMENT_FACTURE = """
rowid integer pk
fk_paiement integer
fk_facture integer
amount double(24,8) d=0
multicurrency_code varchar(3)
multicurrency_tx double(24,8) d=1
multicurrency_amount double(24,8) d=0
"""

SOCIETE_RIB = """
rowid integer pk
entity integer nn d=1
type varchar(32) nn d='ban'
label varchar(180)
fk_soc integer nn
datec datetime
tms timestamp now
bank varchar(255)
code_banque varchar(128)
code_guichet varchar(6)
number varchar(255)
cle_rib varchar(5)
bic varchar(20)
bic_intermediate varchar(11)
iban_prefix varchar(100)
cci varchar(100)
domiciliation varchar(255)
proprio varchar(60)
owner_address varchar(255)
default_rib smallint nn d=0
state_id integer
fk_country integer
currency_code varchar(3)
model_pdf varchar(255)
last_main_doc varchar(255)
rum varchar(32)
date_rum date
frstrecur varchar(16) d='FRST'
last_four varchar(4)
card_type varchar(255)
cvn varchar(255)
exp_date_month integer
exp_date_year integer
country_code varchar(10)
approved integer d=0
email varchar(255)
ending_date date
max_total_amount_of_all_payments double(24,8)
preapproval_key varchar(255)
starting_date date
total_amount_of_all_payments double(24,8)
stripe_card_ref varchar(128)
stripe_account varchar(128)
ext_payment_site varchar(128)
extraparams varchar(255)
date_signature datetime
online_sign_ip varchar(48)
online_sign_name varchar(64)
comment varchar(255)
ipaddress varchar(68)
status integer nn d=1
import_key varchar(14)
"""

USER = """
rowid integer pk
entity integer nn d=1
ref_employee varchar(50)
ref_ext varchar(50)
admin smallint d=0
employee tinyint d=1
fk_establishment integer d=0
datec datetime
tms timestamp now
fk_user_creat integer
fk_user_modif integer
login varchar(50) nn
pass_encoding varchar(24)
pass varchar(128)
pass_crypted varchar(128)
pass_temp varchar(128)
api_key varchar(128)
gender varchar(10)
civility varchar(6)
lastname varchar(50)
firstname varchar(50)
address varchar(255)
zip varchar(25)
town varchar(50)
fk_state integer d=0
fk_country integer d=0
birth date
birth_place varchar(64)
job varchar(128)
office_phone varchar(30)
office_fax varchar(30)
user_mobile varchar(30)
personal_mobile varchar(30)
email varchar(255)
personal_email varchar(255)
email_oauth2 varchar(255)
signature longtext
socialnetworks text
fk_soc integer
fk_socpeople integer
fk_member integer
fk_user integer
fk_user_expense_validator integer
fk_user_holiday_validator integer
national_registration_number varchar(50)
idpers1 varchar(128)
idpers2 varchar(128)
idpers3 varchar(128)
note_public text
note_private text
model_pdf varchar(255)
last_main_doc varchar(255)
datelastlogin datetime
datepreviouslogin datetime
datelastpassvalidation datetime
datestartvalidity datetime
dateendvalidity datetime
flagdelsessionsbefore datetime
iplastlogin varchar(250)
ippreviouslogin varchar(250)
ldap_sid varchar(255)
openid varchar(255)
statut tinyint d=1
photo varchar(255)
lang varchar(6)
color varchar(6)
barcode varchar(255)
fk_barcode_type integer d=0
accountancy_code_user_general varchar(32)
accountancy_code varchar(32)
nb_holiday integer d=0
thm double(24,8)
tjm double(24,8)
salary double(24,8)
salaryextra double(24,8)
dateemployment date
dateemploymentend date
weeklyhours double(16,8)
import_key varchar(14)
default_range integer
default_c_exp_tax_cat integer
fk_warehouse integer
"""

ACTIONCOMM = """
id integer pk
ref varchar(30) nn
ref_ext varchar(255)
entity integer nn d=1
datep datetime
datep2 datetime
fk_action integer
code varchar(50)
datec datetime
tms timestamp now
fk_user_author integer
fk_user_mod integer
fk_project integer
fk_task integer
fk_soc integer
fk_contact integer
fk_parent integer nn d=0
fk_user_action integer
transparency integer
priority smallint
visibility varchar(12) d='default'
fulldayevent smallint nn d=0
percent smallint nn d=0
location varchar(128)
durationp real
label varchar(255) nn
note mediumtext
calling_duration integer
email_subject varchar(255)
email_msgid varchar(255)
email_from varchar(255)
email_sender varchar(255)
email_to varchar(255)
email_tocc varchar(255)
email_tobcc varchar(255)
errors_to varchar(255)
reply_to varchar(255)
recurid varchar(128)
recurrule varchar(128)
recurdateend datetime
num_vote integer
event_paid smallint nn d=0
status smallint nn d=0
fk_element integer
elementtype varchar(255)
ip varchar(250)
fk_bookcal_calendar integer
import_key varchar(14)
extraparams varchar(255)
"""

ACTIONCOMM_RESOURCES = """
rowid integer pk
fk_actioncomm integer nn
element_type varchar(50) nn
fk_element integer nn
answer_status varchar(50)
mandatory smallint
transparency smallint d=1
"""

MAILING = """
rowid integer pk
messtype varchar(16) d='email'
titre varchar(128)
entity integer nn d=1
sujet varchar(128)
body mediumtext
bgcolor varchar(8)
bgimage varchar(255)
evenunsubscribe smallint d=0
cible varchar(60)
nbemail integer
email_from varchar(160)
name_from varchar(128)
email_replyto varchar(160)
email_errorsto varchar(160)
tag varchar(128)
date_creat datetime
date_valid datetime
date_appro datetime
date_envoi datetime
tms timestamp now
fk_user_creat integer
fk_user_modif integer
fk_user_valid integer
fk_user_appro integer
extraparams varchar(255)
joined_file1 varchar(255)
joined_file2 varchar(255)
joined_file3 varchar(255)
joined_file4 varchar(255)
statut smallint d=0
note_private text
note_public text
"""

MAILING_CIBLES = """
rowid integer pk
fk_mailing integer nn
fk_contact integer nn
lastname varchar(160)
firstname varchar(160)
email varchar(160) nn
other varchar(255)
tag varchar(64)
statut smallint nn d=0
source_url varchar(255)
source_id integer
source_type varchar(32)
date_envoi datetime
tms timestamp now
error_text varchar(255)
"""

MAILING_UNSUBSCRIBE = """
rowid integer pk
entity integer nn d=1
email varchar(255)
unsubscribegroup varchar(128) d=''
ip varchar(128)
date_creat datetime
tms timestamp now
"""

PROPAL = (
    """
rowid integer pk
ref varchar(30) nn
entity integer nn d=1
ref_ext varchar(255)
ref_client varchar(255)
fk_soc integer
fk_projet integer
tms timestamp now
datec datetime
datep date
fin_validite datetime
date_valid datetime
date_signature datetime
date_cloture datetime
fk_user_author integer
fk_user_modif integer
fk_user_valid integer
fk_user_signature integer
fk_user_cloture integer
fk_statut smallint nn d=0
price real d=0
remise_percent real d=0
remise_absolue real d=0
remise real d=0
total_ht double(24,8) d=0
total_tva double(24,8) d=0
localtax1 double(24,8) d=0
localtax2 double(24,8) d=0
total_ttc double(24,8) d=0
fk_account integer
fk_currency varchar(3)
fk_cond_reglement integer
deposit_percent varchar(63)
fk_mode_reglement integer
online_sign_ip varchar(48)
online_sign_name varchar(64)
note_private text
note_public text
model_pdf varchar(255)
model_pdf_pos_sign varchar(32)
last_main_doc varchar(255)
date_livraison date
fk_shipping_method integer
fk_warehouse integer
fk_availability integer
fk_input_reason integer
fk_incoterms integer
location_incoterms varchar(255)
import_key varchar(14)
extraparams varchar(255)
fk_delivery_address integer
"""
    + _MC_TOTALS
)

CONTRAT = """
rowid integer pk
ref varchar(255)
ref_customer varchar(255)
ref_supplier varchar(255)
ref_ext varchar(255)
entity integer nn d=1
tms timestamp now
datec datetime
date_contrat datetime
statut smallint d=0
fin_validite datetime
date_cloture datetime
fk_soc integer nn
fk_projet integer
fk_commercial_signature integer
fk_commercial_suivi integer
fk_user_author integer nn d=0
fk_user_modif integer
fk_user_cloture integer
total_tva double(24,8) d=0
localtax1 double(24,8) d=0
localtax2 double(24,8) d=0
revenuestamp double(24,8) d=0
total_ht double(24,8) d=0
total_ttc double(24,8) d=0
denormalized_lower_planned_end_date datetime
signed_status smallint
online_sign_ip varchar(48)
online_sign_name varchar(64)
note_private text
note_public text
model_pdf varchar(255)
last_main_doc varchar(255)
import_key varchar(14)
extraparams varchar(255)
"""

CONTRATDET = """
rowid integer pk
tms timestamp now
fk_contrat integer nn
fk_product integer
statut smallint d=0
label text
description text
fk_remise_except integer
date_commande datetime
date_ouverture_prevue datetime
date_ouverture datetime
date_fin_validite datetime
date_cloture datetime
vat_src_code varchar(10) d=''
tva_tx double(7,4) d=0
localtax1_tx double(7,4) d=0
localtax1_type varchar(10)
localtax2_tx double(7,4) d=0
localtax2_type varchar(10)
qty real nn
remise_percent real d=0
subprice double(24,8) d=0
subprice_ttc double(24,8) d=0
total_ht double(24,8) d=0
total_tva double(24,8) d=0
total_localtax1 double(24,8) d=0
total_localtax2 double(24,8) d=0
total_ttc double(24,8) d=0
product_type integer d=1
info_bits integer d=0
rang integer d=0
buy_price_ht double(24,8)
fk_product_fournisseur_price integer
fk_user_author integer nn d=0
fk_user_ouverture integer
fk_user_cloture integer
commentaire text
fk_unit integer
fk_multicurrency integer
multicurrency_code varchar(3)
multicurrency_subprice double(24,8) d=0
multicurrency_subprice_ttc double(24,8) d=0
multicurrency_total_ht double(24,8) d=0
multicurrency_total_tva double(24,8) d=0
multicurrency_total_ttc double(24,8) d=0
extraparams varchar(255)
"""

TICKET = """
rowid integer pk
entity integer d=1
ref varchar(128) nn
track_id varchar(128) nn
fk_soc integer d=0
fk_project integer d=0
fk_contract integer d=0
origin_email varchar(128)
origin_replyto varchar(128)
origin_references text
fk_user_create integer
fk_user_assign integer
subject varchar(255)
message mediumtext
fk_statut integer
resolution integer
progress integer d=0
timing varchar(20)
type_code varchar(32)
category_code varchar(32)
severity_code varchar(32)
datec datetime
date_read datetime
date_last_msg_sent datetime
date_close datetime
notify_tiers_at_create tinyint
email_msgid varchar(255)
email_date datetime
ip varchar(250)
tms timestamp now
model_pdf varchar(255)
last_main_doc varchar(255)
extraparams varchar(255)
barcode varchar(255)
fk_barcode_type integer
import_key varchar(14)
"""

EVENTS = """
rowid integer pk
tms timestamp now
type varchar(32) nn
entity integer nn d=1
prefix_session varchar(255)
dateevent datetime
fk_user integer
description varchar(250) nn
ip varchar(250) nn
user_agent varchar(255)
fk_object integer
authentication_method varchar(64)
fk_oauth_token integer
"""

ELEMENT_CONTACT = """
rowid integer pk
datecreate datetime
statut smallint d=5
element_id int nn
fk_c_type_contact int nn
fk_socpeople integer nn
"""

TABLES = (
    "llx_societe",
    "llx_socpeople",
    "llx_facture",
    "llx_facture_fourn",
    "llx_facturedet",
    "llx_paiement",
    "llx_paiement_facture",
    "llx_societe_rib",
    "llx_user",
    "llx_actioncomm",
    "llx_actioncomm_resources",
    "llx_mailing",
    "llx_mailing_cibles",
    "llx_mailing_unsubscribe",
    "llx_propal",
    "llx_contrat",
    "llx_contratdet",
    "llx_ticket",
    "llx_events",
    "llx_element_contact",
)


#: The other personal tables the manifest describes, shaped as Dolibarr 25 has them
#: (dolibarr_tables.py, from the column facts of tests/data/real-schemas).
ADDED = (
    "llx_adherent",
    "llx_adherent_extrafields",
    "llx_subscription",
    "llx_categorie_member",
    "llx_don",
    "llx_payment_donation",
    "llx_recruitment_recruitmentcandidature",
    "llx_societe_account",
    "llx_eventorganization_conferenceorboothattendee",
    "llx_partnership",
    "llx_user_employment",
    "llx_salary",
    "llx_payment_salary",
    "llx_holiday",
    "llx_holiday_users",
    "llx_holiday_logs",
    "llx_expensereport",
    "llx_expensereport_det",
    "llx_payment_expensereport",
    "llx_deplacement",
    "llx_chargesociales",
    "llx_hrm_evaluation",
    "llx_hrm_evaluationdet",
    "llx_hrm_job_user",
    "llx_element_time",
    "llx_user_rib",
    "llx_prelevement_lignes",
    "llx_prelevement_demande",
    "llx_bank",
    "llx_bank_url",
    "llx_accounting_bookkeeping",
    "llx_accounting_bookkeeping_tmp",
    "llx_societe_remise_except",
    "llx_paiementfourn",
    "llx_blockedlog",
    "llx_commande",
    "llx_commande_fournisseur",
    "llx_supplier_proposal",
    "llx_expedition",
    "llx_reception",
    "llx_delivery",
    "llx_fichinter",
    "llx_fichinter_rec",
    "llx_facture_rec",
    "llx_projet",
    "llx_onlinesignature",
    "llx_product_customer_price",
    "llx_notify",
    "llx_notify_def",
    "llx_ecm_files",
    "llx_links",
    "llx_session",
    "llx_oauth_token",
    "llx_oauth_state",
    "llx_emailcollector_emailcollector",
    "llx_ai_request_log",
    "llx_webhook_history",
    "llx_socpeople_extrafields",
    "llx_societe_extrafields",
    "llx_user_extrafields",
    "llx_actioncomm_reminder",
    "llx_user_clicktodial",
    "llx_usergroup_user",
    "llx_user_param",
    "llx_user_rights",
    "llx_user_alert",
    "llx_categorie_user",
    "llx_bookmark",
    "llx_default_values",
    "llx_zapier_hook",
    "llx_societe_commerciaux",
    "llx_societe_contacts",
    "llx_categorie_contact",
    "llx_categorie_societe",
    "llx_categorie_fournisseur",
    "llx_opensurvey_user_studs",
    "llx_opensurvey_comments",
    "llx_product_customer_price_log",
    "llx_opensurvey_sondage",
    "llx_opensurvey_user_formanswers",
)


def full_metadata() -> MetaData:
    """Every table of a Dolibarr 25 database, exactly as the column facts give them (the 20
    tables `metadata` writes by hand in their 22.0 shape are here in their 25 shape)."""
    md = MetaData()
    for name, spec in SPECS.items():
        build_table(md, name, spec)
    return md


def _fk(table: str, column: str, target: str, key: str = "rowid") -> ForeignKeyConstraint:
    # MySQL wants foreign-key names unique per database: they carry the table name.
    return ForeignKeyConstraint([column], [f"{target}.{key}"], name=f"{table}_{column}_fk")


def metadata() -> MetaData:
    """Return the personal-data tables of Dolibarr 22.0.4, with the foreign keys it declares."""
    md = MetaData()
    build_table(
        md,
        "llx_user",
        USER,
        unique={
            "login": ("login", "entity"),
            "fk_socpeople": ("fk_socpeople",),
            "fk_member": ("fk_member",),
            "api_key": ("api_key",),
        },
        indexes={"fk_soc": ("fk_soc",)},
    )
    build_table(
        md,
        "llx_societe",
        SOCIETE,
        unique={
            "code_client": ("code_client", "entity"),
            "code_fournisseur": ("code_fournisseur", "entity"),
            "prefix_comm": ("prefix_comm", "entity"),
            "barcode": ("barcode", "fk_barcode_type", "entity"),
        },
        indexes={"nom": ("nom",), "fk_typent": ("fk_typent",)},
    )
    build_table(
        md,
        "llx_socpeople",
        SOCPEOPLE,
        indexes={"fk_soc": ("fk_soc",), "lastname": ("lastname",)},
        extra=[
            _fk("llx_socpeople", "fk_soc", "llx_societe"),
            _fk("llx_socpeople", "fk_user_creat", "llx_user"),
        ],
    )
    build_table(
        md,
        "llx_facture",
        FACTURE,
        unique={"ref": ("ref", "entity")},
        indexes={"fk_soc": ("fk_soc",), "datef": ("datef",)},
        extra=[
            _fk("llx_facture", "fk_soc", "llx_societe"),
            _fk("llx_facture", "fk_user_author", "llx_user"),
            _fk("llx_facture", "fk_user_valid", "llx_user"),
            _fk("llx_facture", "fk_facture_source", "llx_facture"),
        ],
    )
    build_table(
        md,
        "llx_facture_fourn",
        FACTURE_FOURN,
        unique={
            "ref": ("ref", "entity"),
            "ref_supplier": ("ref_supplier", "fk_soc", "entity"),
        },
        indexes={"fk_soc": ("fk_soc",)},
        extra=[
            _fk("llx_facture_fourn", "fk_soc", "llx_societe"),
            _fk("llx_facture_fourn", "fk_user_author", "llx_user"),
            _fk("llx_facture_fourn", "fk_user_valid", "llx_user"),
        ],
    )
    build_table(
        md,
        "llx_facturedet",
        FACTUREDET,
        indexes={"fk_facture": ("fk_facture",)},
        extra=[_fk("llx_facturedet", "fk_facture", "llx_facture")],
    )
    build_table(md, "llx_paiement", PAIEMENT, indexes={"datep": ("datep",)})
    build_table(
        md,
        "llx_paiement_facture",
        PAIEMENT_FACTURE,
        unique={"unique": ("fk_paiement", "fk_facture")},
        indexes={"fk_facture": ("fk_facture",)},
        extra=[
            _fk("llx_paiement_facture", "fk_paiement", "llx_paiement"),
            _fk("llx_paiement_facture", "fk_facture", "llx_facture"),
        ],
    )
    build_table(
        md,
        "llx_societe_rib",
        SOCIETE_RIB,
        unique={"unique": ("entity", "label", "fk_soc")},
        extra=[_fk("llx_societe_rib", "fk_soc", "llx_societe")],
    )
    build_table(
        md,
        "llx_actioncomm",
        ACTIONCOMM,
        indexes={
            "fk_soc": ("fk_soc",),
            "fk_contact": ("fk_contact",),
            "fk_user_action": ("fk_user_action",),
            "fk_element": ("fk_element",),
            "datep": ("datep",),
        },
    )
    build_table(
        md,
        "llx_actioncomm_resources",
        ACTIONCOMM_RESOURCES,
        unique={"unique": ("fk_actioncomm", "element_type", "fk_element")},
        indexes={"fk_element": ("fk_element",)},
    )
    build_table(md, "llx_mailing", MAILING, unique={"titre": ("titre", "entity")})
    build_table(
        md,
        "llx_mailing_cibles",
        MAILING_CIBLES,
        unique={"unique": ("fk_mailing", "email")},
        indexes={"email": ("email",), "tag": ("tag",)},
    )
    build_table(
        md,
        "llx_mailing_unsubscribe",
        MAILING_UNSUBSCRIBE,
        unique={"unique": ("email", "entity", "unsubscribegroup")},
    )
    build_table(
        md,
        "llx_propal",
        PROPAL,
        unique={"ref": ("ref", "entity")},
        indexes={"fk_soc": ("fk_soc",)},
        extra=[
            _fk("llx_propal", "fk_soc", "llx_societe"),
            _fk("llx_propal", "fk_user_author", "llx_user"),
            _fk("llx_propal", "fk_user_valid", "llx_user"),
            _fk("llx_propal", "fk_user_signature", "llx_user"),
            _fk("llx_propal", "fk_user_cloture", "llx_user"),
        ],
    )
    build_table(
        md,
        "llx_contrat",
        CONTRAT,
        unique={"ref": ("ref", "entity")},
        indexes={"fk_soc": ("fk_soc",)},
        extra=[
            _fk("llx_contrat", "fk_soc", "llx_societe"),
            _fk("llx_contrat", "fk_user_author", "llx_user"),
        ],
    )
    build_table(
        md,
        "llx_contratdet",
        CONTRATDET,
        indexes={"fk_contrat": ("fk_contrat",)},
        extra=[_fk("llx_contratdet", "fk_contrat", "llx_contrat")],
    )
    build_table(
        md,
        "llx_ticket",
        TICKET,
        unique={"track_id": ("track_id",), "ref": ("ref", "entity")},
        indexes={"fk_soc": ("fk_soc",)},
    )
    build_table(md, "llx_events", EVENTS, indexes={"dateevent": ("dateevent",)})
    build_table(
        md,
        "llx_element_contact",
        ELEMENT_CONTACT,
        unique={"idx": ("element_id", "fk_c_type_contact", "fk_socpeople")},
        indexes={"fk_socpeople": ("fk_socpeople",)},
    )
    for name in ADDED:
        build_table(md, name, SPECS[name])
    return md
