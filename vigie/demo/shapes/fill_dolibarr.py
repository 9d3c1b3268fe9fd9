"""Dolibarr rows for `fill.fill_dolibarr`: third parties, contacts, twelve years of invoices…

Tables are written parents first, because Dolibarr declares foreign keys (invoice -> third party,
line -> invoice, payment link -> payment and invoice, contact -> third party).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, MetaData

from vigie.demo.shapes import phrases
from vigie.demo.shapes.bulk import Row, insert_rows
from vigie.demo.shapes.fill import (
    TE_PRIVATE,
    SeedPerson,
    _ago,
    _login,
    _Pools,
    _slug,
)


@dataclass
class _Party:
    id: int
    name: str
    email: str
    phone: str
    private: bool
    contacts: list[int] = field(default_factory=list)


@dataclass
class _Contact:
    id: int
    soc: int
    first: str
    last: str
    email: str


class DolibarrFill:
    """One fill run; `counts` holds the rows written per table."""

    def __init__(
        self,
        conn: Connection,
        md: MetaData,
        rng: random.Random,
        pools: _Pools,
        clock: dt.datetime,
        chunk_size: int,
    ) -> None:
        self.conn, self.md, self.rng, self.pools = conn, md, rng, pools
        self.clock, self.chunk_size = clock, chunk_size
        self.counts: dict[str, int] = {}
        self.parties: list[_Party] = []
        self.contacts: list[_Contact] = []
        self.staff: list[int] = []

    def _write(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
        written = insert_rows(
            self.conn, self.md.tables[table], columns, rows, chunk_size=self.chunk_size
        )
        self.counts[table] = self.counts.get(table, 0) + written

    def run(
        self,
        people: Sequence[SeedPerson],
        *,
        companies: int,
        private_customers: int,
        staff: int,
        years_of_invoices: int,
        invoices_per_customer_year: int,
        mailings: int,
        login_events: int,
    ) -> None:
        self._users(staff)
        self._parties(people, companies, private_customers)
        self._contacts(people)
        self._invoices(years_of_invoices, invoices_per_customer_year)
        self._supplier_invoices(years_of_invoices)
        self._bank_accounts()
        self._proposals_and_contracts()
        self._tickets_and_agenda(people)
        self._mailings(mailings)
        self._events(login_events)

    # ---------------------------------------------------------------------------------------
    def _users(self, count: int) -> None:
        rng, pools = self.rng, self.pools
        rows: list[Row] = []
        for uid in range(1, max(1, count) + 1):
            first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
            login = f"{_login(first, last)[:40]}{uid}"
            postcode, town = rng.choice(pools.places)
            rows.append(
                (uid, login, "password_hash", f"$2y$10${rng.getrandbits(200):050x}"[:60],
                 "man" if uid % 2 else "woman", last, first, rng.choice(pools.streets), postcode,
                 town[:50], dt.date(1965 + uid % 35, 1 + uid % 12, 1 + uid % 28),
                 rng.choice(("Technicien", "Commercial", "Comptable", "Gérant")),
                 f"04 42 00 00 {uid:02d}", f"{login}@semi-informatique.example",
                 f"<p>{first} {last}<br>SEMI Informatique</p>", f"1{uid:02d}0713055{uid:03d}42",
                 _ago(self.clock, rng, 30), _ago(self.clock, rng, 60), f"192.0.2.{uid}",
                 dt.date(2012 + uid % 10, 9, 1), 2800.0 + 100 * uid, self.clock, 1)
            )  # fmt: skip
            self.staff.append(uid)
        columns = ["rowid", "login", "pass_encoding", "pass_crypted", "gender", "lastname"]
        columns += ["firstname", "address", "zip", "town", "birth", "job", "office_phone"]
        columns += ["email", "signature", "national_registration_number", "datelastlogin"]
        columns += ["datepreviouslogin", "iplastlogin", "dateemployment", "salary", "datec"]
        columns += [
            "statut",
        ]
        self._write("llx_user", columns, rows)

    def _parties(self, people: Sequence[SeedPerson], companies: int, private: int) -> None:
        rng, pools = self.rng, self.pools
        rows: list[Row] = []
        sid = 0
        for n in range(companies):
            sid += 1
            name = pools.companies[n % len(pools.companies)]
            name = name if n < len(pools.companies) else f"{name} {n}"
            domain = f"{_slug(name)}.example"
            party = _Party(sid, name, f"contact@{domain}", rng.choice(pools.phones), False)
            self.parties.append(party)
            # One in six companies is also a supplier (subcontractor, wholesaler).
            rows.append(self._party_row(party, 4 if n % 5 else 3, client=1, supplier=n % 6 == 0))
        seeds = [(p.first_name, p.last_name, p.email.strip(), p.phone) for p in people]
        generated = [
            (
                rng.choice(pools.first_names),
                rng.choice(pools.last_names),
                None,
                rng.choice(pools.phones),
            )
            for _ in range(private)
        ]
        for first, last, email, phone in seeds + generated:
            sid += 1
            email = email or f"{_login(first, last)}{sid}@courriel.example"
            party = _Party(sid, f"{first} {last}", email, phone or rng.choice(pools.phones), True)
            self.parties.append(party)
            rows.append(self._party_row(party, TE_PRIVATE, client=1 if sid % 4 else 3))
        columns = ["rowid", "nom", "entity", "status", "code_client", "code_fournisseur"]
        columns += ["code_compta", "address", "zip", "town", "fk_pays", "phone", "email"]
        columns += ["fk_typent", "siren", "siret", "tva_intra", "fk_stcomm", "note_private"]
        columns += ["client", "fournisseur", "tms", "datec", "fk_user_creat", "ip"]
        self._write("llx_societe", columns, rows)

    def _party_row(self, party: _Party, typent: int, *, client: int, supplier: bool = False) -> Row:
        rng, pools = self.rng, self.pools
        postcode, town = rng.choice(pools.places)
        siren = None if party.private else f"{rng.randrange(10**8, 10**9)}"
        created = _ago(self.clock, rng, 12 * 365)
        note = "Préfère être appelé le matin." if party.private and party.id % 3 == 0 else None
        return (
            party.id, party.name, 1, 1, f"CU{party.id:06d}",
            f"SU{party.id:06d}" if supplier else None, f"411{_slug(party.name)[:8].upper()}",
            rng.choice(pools.streets), postcode, town[:50], 1, party.phone, party.email, typent,
            siren, f"{siren}00012" if siren else None,
            f"FR{party.id % 97:02d}{siren}" if siren else None,
            0, note, client, 1 if supplier else 0, self.clock, created, rng.choice(self.staff),
            f"198.51.100.{party.id % 250}" if party.private and party.id % 5 == 0 else None,
        )  # fmt: skip

    def _contacts(self, people: Sequence[SeedPerson]) -> None:
        rng, pools = self.rng, self.pools
        companies = [p for p in self.parties if not p.private]
        rows: list[Row] = []
        # Seed people are contacts of client companies first, then each company gets one or two.
        plan: list[tuple[str, str, str | None, str | None]] = [
            (p.first_name, p.last_name, p.email.strip(), p.phone) for p in people
        ]
        for party in companies:
            for _ in range(1 + party.id % 2):
                first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
                plan.append((first, last, None, None))
        for n, (first, last, email, phone) in enumerate(plan):
            cid = n + 1
            owner = companies[n % len(companies)] if companies else None
            domain = owner.email.split("@")[1] if owner else "courriel.example"
            email = email or f"{_login(first, last)}{cid}@{domain}"
            contact = _Contact(cid, owner.id if owner else 0, first, last, email)
            self.contacts.append(contact)
            if owner:
                owner.contacts.append(cid)
            postcode, town = rng.choice(pools.places)
            rows.append(
                (cid, _ago(self.clock, rng, 10 * 365), self.clock, owner.id if owner else None,
                 rng.choice(("MR", "MME")), last[:50], first[:50], rng.choice(pools.streets),
                 postcode, town, 1, rng.choice(("Gérant", "Comptable", "Assistante", "DSI")),
                 phone or rng.choice(pools.phones), rng.choice(pools.phones), email, 0,
                 rng.choice(self.staff), 1)
            )  # fmt: skip
        columns = ["rowid", "datec", "tms", "fk_soc", "civility", "lastname", "firstname"]
        columns += ["address", "zip", "town", "fk_pays", "poste", "phone", "phone_mobile"]
        columns += ["email", "no_email", "fk_user_creat", "statut"]
        self._write("llx_socpeople", columns, rows)

    # ---------------------------------------------------------------------------------------
    def _invoices(self, years: int, per_year: int) -> None:
        rng = self.rng
        invoices: list[Row] = []
        lines: list[Row] = []
        payments: list[Row] = []
        allocations: list[Row] = []
        links: list[Row] = []
        fid = lid = pid = 0
        first_year = self.clock.year - years + 1
        for party in self.parties:
            for year in range(first_year, self.clock.year + 1):
                for _ in range(per_year):
                    datef = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
                    if datef > self.clock.date():
                        continue
                    fid += 1
                    invoice_lines = []
                    for _ in range(rng.randint(1, 4)):
                        label, description, price = rng.choice(phrases.SERVICES)
                        qty = rng.randint(1, 3)
                        invoice_lines.append((label, description, price, qty))
                    total_ht = round(sum(p * q for _, _, p, q in invoice_lines), 2)
                    paid = datef < self.clock.date() - dt.timedelta(days=60)
                    author = rng.choice(self.staff)
                    invoices.append(
                        (fid, f"FA{datef:%y%m}-{fid:05d}", party.id, dt.datetime(year, 1, 1)
                         + dt.timedelta(days=datef.timetuple().tm_yday - 1), datef, datef,
                         1 if paid else 0, round(total_ht * 0.2, 2), total_ht,
                         round(total_ht * 1.2, 2), 2 if paid else 1, author, author,
                         datef + dt.timedelta(days=30),
                         f"Facture adressée à {party.name}" if fid % 7 == 0 else None,
                         f"facture/FA{datef:%y%m}-{fid:05d}/FA{datef:%y%m}-{fid:05d}.pdf")
                    )  # fmt: skip
                    for rang, (label, description, price, qty) in enumerate(invoice_lines):
                        lid += 1
                        ht = round(price * qty, 2)
                        lines.append(
                            (lid, fid, label, f"{description} – {party.name}", 20.0, qty, price,
                             ht, round(ht * 0.2, 2), round(ht * 1.2, 2), 1,
                             dt.datetime.combine(datef, dt.time(9)), rang, author)
                        )  # fmt: skip
                    if paid:
                        pid += 1
                        when = dt.datetime.combine(datef, dt.time(10)) + dt.timedelta(days=25)
                        mode = rng.choice((2, 7, 6))  # transfer, cheque, card
                        note = f"Chèque de {party.name}, banque {rng.choice(('LCL', 'CIC'))}"
                        payments.append(
                            (pid, f"PAY{when:%y%m}-{pid:05d}", when, when, round(total_ht * 1.2, 2),
                             mode, f"{rng.randrange(10**6, 10**7)}" if mode == 7 else None,
                             note if mode == 7 else None, 0, author, 1)
                        )  # fmt: skip
                        allocations.append((pid, fid, round(total_ht * 1.2, 2)))
                    if party.contacts and fid % 3 == 0:
                        # The billing contact of a company's invoice (role in llx_c_type_contact).
                        links.append((dt.datetime.combine(datef, dt.time(9)), 4, fid, 60,
                                       party.contacts[0]))  # fmt: skip
        columns = ["rowid", "ref", "fk_soc", "datec", "datef", "date_valid", "paye", "total_tva"]
        columns += ["total_ht", "total_ttc", "fk_statut", "fk_user_author", "fk_user_valid"]
        columns += ["date_lim_reglement", "note_public", "last_main_doc"]
        self._write("llx_facture", columns, invoices)
        columns = ["rowid", "fk_facture", "label", "description", "tva_tx", "qty", "subprice"]
        columns += ["total_ht", "total_tva", "total_ttc", "product_type", "date_start", "rang"]
        columns += [
            "fk_user_author",
        ]
        self._write("llx_facturedet", columns, lines)
        columns = ["rowid", "ref", "datec", "datep", "amount", "fk_paiement", "num_paiement"]
        columns += ["note", "fk_bank", "fk_user_creat", "statut"]
        self._write("llx_paiement", columns, payments)
        self._write("llx_paiement_facture", ("fk_paiement", "fk_facture", "amount"), allocations)
        self._contact_links = links

    def _supplier_invoices(self, years: int) -> None:
        rng = self.rng
        # The companies written first by `_parties`, one in six flagged as a supplier.
        suppliers = [p for n, p in enumerate(self.parties) if not p.private and n % 6 == 0]
        rows: list[Row] = []
        fid = 0
        for party in suppliers:
            for year in range(self.clock.year - years + 1, self.clock.year + 1):
                fid += 1
                datef = min(
                    dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), self.clock.date()
                )
                total = float(rng.randrange(100, 5000))
                rows.append(
                    (fid, f"SI{datef:%y%m}-{fid:05d}", f"F{party.id}-{year}-{fid}", party.id,
                     datef, datef, f"Sous-traitance {year}", 1, round(total * 0.2, 2), total,
                     round(total * 1.2, 2), 2, rng.choice(self.staff), rng.choice(self.staff))
                )  # fmt: skip
        columns = ["rowid", "ref", "ref_supplier", "fk_soc", "datef", "date_valid", "libelle"]
        columns += ["paye", "total_tva", "total_ht", "total_ttc", "fk_statut", "fk_user_author"]
        columns += [
            "fk_user_valid",
        ]
        self._write("llx_facture_fourn", columns, rows)

    def _bank_accounts(self) -> None:
        rng, pools = self.rng, self.pools
        rows: list[Row] = []
        for n, party in enumerate(p for p in self.parties if p.id % 3 == 0):
            signed = _ago(self.clock, rng, 6 * 365)
            iban = pools.ibans[n % len(pools.ibans)]
            rows.append(
                (party.id, "ban", "Compte principal", party.id, signed, rng.choice(("LCL", "CIC")),
                 iban[4:9], iban[9:14], iban[14:25], iban[25:27], pools.bics[n % len(pools.bics)],
                 iban, party.name[:60], f"RUM{party.id:08d}", signed.date(), "RECUR", 1,
                 signed, f"203.0.113.{party.id % 250}", party.name[:64], 1)
            )  # fmt: skip
        columns = ["rowid", "type", "label", "fk_soc", "datec", "bank", "code_banque"]
        columns += ["code_guichet", "number", "cle_rib", "bic", "iban_prefix", "proprio", "rum"]
        columns += ["date_rum", "frstrecur", "default_rib", "date_signature", "online_sign_ip"]
        columns += ["online_sign_name", "status"]
        self._write("llx_societe_rib", columns, rows)

    def _proposals_and_contracts(self) -> None:
        rng = self.rng
        proposals: list[Row] = []
        contracts: list[Row] = []
        lines: list[Row] = []
        lid = 0
        for party in self.parties:
            if party.id % 2:
                made = _ago(self.clock, rng, 8 * 365)
                signed = party.id % 4 == 1
                proposals.append(
                    (party.id, f"PR{made:%y%m}-{party.id:05d}", party.id, made, made.date(),
                     made + dt.timedelta(days=30), made + dt.timedelta(days=3) if signed else None,
                     made + dt.timedelta(days=20), rng.choice(self.staff), 2 if signed else 3,
                     900.0, 180.0, 1080.0, f"198.51.100.{party.id % 250}" if signed else None,
                     party.name[:64] if signed else None)
                )  # fmt: skip
            if not party.private:
                start = _ago(self.clock, rng, 8 * 365)
                ended = start + dt.timedelta(days=3 * 365) < self.clock
                end = start + dt.timedelta(days=3 * 365)
                contracts.append(
                    (party.id, f"CT{start:%y%m}-{party.id:05d}", start, start, 2 if ended else 1,
                     end, end if ended else None, party.id, rng.choice(self.staff),
                     rng.choice(self.staff), "Contrat de maintenance du parc")
                )  # fmt: skip
                lid += 1
                lines.append(
                    (lid, party.id, 5 if ended else 4, "Maintenance annuelle",
                     f"Maintenance de {3 + party.id % 20} postes et du serveur", start, start,
                     end, end if ended else None, 1, 1200.0, 1200.0, 1440.0, rng.choice(self.staff))
                )  # fmt: skip
        columns = ["rowid", "ref", "fk_soc", "datec", "datep", "fin_validite", "date_signature"]
        columns += ["date_cloture", "fk_user_author", "fk_statut", "total_ht", "total_tva"]
        columns += ["total_ttc", "online_sign_ip", "online_sign_name"]
        self._write("llx_propal", columns, proposals)
        columns = ["rowid", "ref", "datec", "date_contrat", "statut", "fin_validite"]
        columns += ["date_cloture", "fk_soc", "fk_user_author", "fk_commercial_suivi"]
        columns += [
            "note_private",
        ]
        self._write("llx_contrat", columns, contracts)
        columns = ["rowid", "fk_contrat", "statut", "label", "description", "date_commande"]
        columns += ["date_ouverture", "date_fin_validite", "date_cloture", "qty", "subprice"]
        columns += ["total_ht", "total_ttc", "fk_user_author"]
        self._write("llx_contratdet", columns, lines)

    # ---------------------------------------------------------------------------------------
    def _tickets_and_agenda(self, people: Sequence[SeedPerson]) -> None:
        rng = self.rng
        tickets: list[Row] = []
        events: list[Row] = []
        attendees: list[Row] = []
        aid = 0
        seed_contacts = self.contacts[: len(people)]
        by_id = {c.id: c for c in self.contacts}
        for tid, contact in enumerate(seed_contacts + self.contacts, start=1):
            other = by_id.get(contact.id + 1, contact)
            opened = _ago(self.clock, rng, 4 * 365)
            closed = opened + dt.timedelta(days=rng.randint(1, 20))
            subject = rng.choice(phrases.DOLIBARR_TICKET_SUBJECTS)
            tickets.append(
                (tid, f"TS{opened:%y%m}-{tid:04d}", f"{rng.getrandbits(64):016x}", contact.soc,
                 contact.email, rng.choice(self.staff), rng.choice(self.staff), subject,
                 f"Bonjour, {subject.lower()}. Merci de rappeler {other.first} {other.last} "
                 f"({other.email}). {contact.first} {contact.last}", 8, opened, closed, closed,
                 f"203.0.113.{tid % 250}" if tid % 4 == 0 else None)
            )  # fmt: skip
            aid += 1
            events.append(
                self._agenda_row(aid, "TICKET_MSG", closed, contact, "Réponse au ticket",
                                 f"Bonjour {contact.first}, le problème est résolu.", "ticket", tid)
            )  # fmt: skip
            aid += 1
            label = rng.choice(phrases.AGENDA_LABELS)
            events.append(
                self._agenda_row(aid, "AC_RDV", opened, contact, label,
                                 f"Présents : {contact.first} {contact.last}, {other.first} "
                                 f"{other.last}.", "societe", contact.soc)
            )  # fmt: skip
            attendees.append((aid, "socpeople", contact.id, "accepted", 1, 1))
            attendees.append((aid, "user", rng.choice(self.staff), "accepted", 1, 1))
            aid += 1
            events.append(
                self._agenda_row(aid, "AC_EMAIL", opened, contact, "Envoi de la facture",
                                 "Veuillez trouver ci-joint votre facture.", "invoice", None)
            )  # fmt: skip
        columns = ["rowid", "ref", "track_id", "fk_soc", "origin_email", "fk_user_create"]
        columns += ["fk_user_assign", "subject", "message", "fk_statut", "datec", "date_close"]
        columns += ["date_last_msg_sent", "ip"]
        self._write("llx_ticket", columns, tickets)
        columns = ["id", "ref", "code", "datep", "datep2", "datec", "fk_user_author", "fk_soc"]
        columns += ["fk_contact", "fk_user_action", "label", "note", "email_from", "email_to"]
        columns += ["email_subject", "elementtype", "fk_element", "percent"]
        self._write("llx_actioncomm", columns, events)
        columns = ["fk_actioncomm", "element_type", "fk_element", "answer_status", "mandatory"]
        columns += [
            "transparency",
        ]
        self._write("llx_actioncomm_resources", columns, attendees)
        self._write(
            "llx_element_contact",
            ("datecreate", "statut", "element_id", "fk_c_type_contact", "fk_socpeople"),
            self._contact_links,
        )

    def _agenda_row(
        self,
        aid: int,
        code: str,
        when: dt.datetime,
        contact: _Contact,
        label: str,
        note: str,
        elementtype: str,
        element: int | None,
    ) -> Row:
        user = self.rng.choice(self.staff)
        is_mail = code == "AC_EMAIL"
        return (
            aid, f"{aid}", code, when, when + dt.timedelta(hours=1), when, user,
            contact.soc or None, contact.id, user, label, note,
            "facturation@semi-informatique.example" if is_mail else None,
            f"{contact.first} {contact.last} <{contact.email}>" if is_mail else None,
            label if is_mail else None, elementtype, element, 100,
        )  # fmt: skip

    def _mailings(self, count: int) -> None:
        rng = self.rng
        campaigns: list[Row] = []
        targets: list[Row] = []
        unsubscribes: list[Row] = []
        unsubscribed: set[str] = set()
        private = [p for p in self.parties if p.private]
        for mid in range(1, count + 1):
            sent = self.clock - dt.timedelta(days=90 * (count - mid + 1))
            subject = phrases.MAILING_SUBJECTS[mid % len(phrases.MAILING_SUBJECTS)]
            campaigns.append(
                (mid, "email", f"{subject} ({sent:%m/%Y})", subject,
                 f"<p>Bonjour __FIRSTNAME__,</p><p>{subject}…</p>",
                 len(self.contacts) + len(private),
                 "lettre@semi-informatique.example", "SEMI Informatique", sent, sent, sent, 3,
                 rng.choice(self.staff))
            )  # fmt: skip
            recipients = [(c.id, c.last, c.first, c.email, "contact") for c in self.contacts]
            recipients += [(p.id, p.name, "", p.email, "thirdparty") for p in private]
            seen: set[str] = set()
            for n, (source_id, last, first, email, kind) in enumerate(recipients):
                # A seed person is both a contact and a private customer: one target per address.
                if email in unsubscribed or email.lower() in seen:
                    continue
                seen.add(email.lower())
                # A few recipients click the unsubscribe link (statut 3, reference 2.4).
                # The last recipient of the first campaign always does, so the table is never empty.
                clicked = rng.random() < 0.02 or (mid == 1 and n == len(recipients) - 1)
                status = 3 if clicked else rng.choice((1, 1, 2))
                targets.append(
                    (mid, source_id, last[:160], first[:160], email, f"{rng.getrandbits(64):016x}",
                     status, source_id, kind, sent)
                )  # fmt: skip
                if status == 3:
                    unsubscribed.add(email)
                    unsubscribes.append(
                        (email, "", f"198.51.100.{len(unsubscribes) % 250}",
                         sent + dt.timedelta(days=2))
                    )  # fmt: skip
        columns = ["rowid", "messtype", "titre", "sujet", "body", "nbemail", "email_from"]
        columns += ["name_from", "date_creat", "date_valid", "date_envoi", "statut"]
        columns += [
            "fk_user_creat",
        ]
        self._write("llx_mailing", columns, campaigns)
        columns = ["fk_mailing", "fk_contact", "lastname", "firstname", "email", "tag", "statut"]
        columns += ["source_id", "source_type", "date_envoi"]
        self._write("llx_mailing_cibles", columns, targets)
        self._write(
            "llx_mailing_unsubscribe",
            ("email", "unsubscribegroup", "ip", "date_creat"),
            unsubscribes,
        )

    def _events(self, count: int) -> None:
        rng = self.rng

        def rows() -> Iterator[Row]:
            for _ in range(count):
                user = rng.choice(self.staff)
                when = _ago(self.clock, rng, 365)
                ip = f"192.0.2.{user}"
                if rng.random() < 0.1:
                    description = f"(ErrorBadLoginPassword) - login=utilisateur{user}"
                    kind = "USER_LOGIN_FAILED"
                else:
                    description = "(UserLogged,Europe/Paris,1920x1080) - TZ=1;TZString=Europe/Paris"
                    kind = "USER_LOGIN"
                agent = rng.choice(phrases.USER_AGENTS)
                yield (kind, 1, f"{rng.getrandbits(32):08x}", when, user, description, ip, agent)

        columns = ["type", "entity", "prefix_session", "dateevent", "fk_user", "description"]
        columns += ["ip", "user_agent"]
        self._write("llx_events", columns, rows())
