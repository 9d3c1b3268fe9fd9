"""French helpdesk and billing phrases for the shape fixtures.

Templates take named fields so a fill formats them without Faker in the hot loop; several name other
people (a colleague's name, e-mail and phone), because that is what real ticket text does and what
erasure and access responses (R52) have to cope with.
"""

from __future__ import annotations

TICKET_TITLES = (
    "Imprimante du {site} hors service",
    "Messagerie : impossible d'envoyer des courriels",
    "Poste de {first} {last} très lent au démarrage",
    "Accès VPN refusé depuis le domicile",
    "Demande de création de compte pour {other}",
    "Écran noir après mise à jour Windows",
    "Sauvegarde NAS en échec cette nuit",
    "Partage réseau « Compta » inaccessible",
    "Téléphone IP du standard muet",
    "Licence Office expirée sur le poste {computer}",
    "Mot de passe oublié",
    "Installation d'un logiciel de paie",
    "Virus détecté par l'antivirus",
    "Wi-Fi de la salle de réunion instable",
    "Changement de la cartouche de toner",
)

TICKET_BODIES = (
    "<p>Bonjour,</p><p>depuis ce matin {title_lc}. Mon collègue {other} ({other_email}, "
    "{other_phone}) a le même souci. Pouvez-vous intervenir rapidement ?</p><p>Cordialement,<br>"
    "{first} {last}<br>{phone}</p>",
    "<p>Bonjour,</p><p>{title_lc} sur le poste {computer}. Merci de rappeler {other} au "
    "{other_phone}, c'est lui qui s'en sert l'après-midi.</p><p>{first} {last}</p>",
    "<p>Bonjour l'équipe hotline,</p><p>nouvel arrivant : {other}, adresse {other_email}. "
    "Il lui faut un compte, une boîte mail et l'accès au partage. Mon numéro : {phone}.</p>",
    "<p>{title_lc}. J'ai déjà redémarré deux fois. Je suis joignable au {phone} jusqu'à 18 h, "
    "sinon voir avec {other} ({other_phone}).</p><p>Merci, {first}</p>",
)

FOLLOWUPS_TECH = (
    "<p>Bonjour {first},</p><p>j'ai pris la main à distance sur {computer} : le problème venait "
    "d'un pilote. Corrigé, pouvez-vous confirmer ?</p><p>{tech}, hotline SEMI</p>",
    "<p>Appel à {first} {last} au {phone} : pas de réponse, message laissé.</p>",
    "<p>Intervention sur site prévue jeudi matin. {other} nous ouvrira la salle serveur.</p>",
    "<p>Mise à jour appliquée, redémarrage effectué. Ticket en attente de validation.</p>",
    "<p>Rappelé {first} : tout fonctionne. {other} ({other_email}) aura besoin du même "
    "paramétrage la semaine prochaine.</p>",
)

FOLLOWUPS_REQUESTER = (
    "<p>Merci, c'est réglé de mon côté.</p><p>{first} {last}</p>",
    "<p>Toujours le même problème ce matin, je reste joignable au {phone}.</p>",
    "<p>Je vous transfère le message d'erreur reçu par {other} ({other_email}).</p>",
    "<p>Je serai absent demain, merci de voir avec {other} au {other_phone}.</p>",
)

TASKS = (
    "Prise en main à distance, diagnostic du poste {computer}.",
    "Déplacement sur site, remplacement de l'alimentation.",
    "Réinstallation du client de messagerie et resynchronisation.",
    "Contrôle de la sauvegarde et relance du job.",
    "Création du compte de {other} et ajout aux groupes.",
)

SERVICES = (
    ("Contrat de maintenance annuel", "Maintenance préventive et corrective du parc", 1200.0),
    ("Intervention sur site", "Déplacement et intervention d'un technicien (2 h)", 180.0),
    ("Télémaintenance", "Prise en main à distance (forfait 30 min)", 45.0),
    ("Licence antivirus", "Licence antivirus 1 poste, 1 an", 39.0),
    ("Poste de travail", "PC bureautique avec installation et migration des données", 890.0),
    ("Sauvegarde externalisée", "Sauvegarde en ligne 100 Go, mensuel", 25.0),
    ("Installation réseau", "Câblage et configuration d'un commutateur", 450.0),
    ("Hébergement messagerie", "Boîte aux lettres hébergée, mensuel", 6.0),
)

AGENDA_LABELS = (
    "Rendez-vous : audit du parc informatique",
    "Appel de suivi du contrat de maintenance",
    "Présentation de l'offre de sauvegarde",
    "Relance du devis",
    "Installation du nouveau serveur",
)

MAILING_SUBJECTS = (
    "Les nouveautés SEMI Informatique",
    "Sécurité : pensez à vos sauvegardes",
    "Offre de rentrée sur les postes de travail",
    "Invitation : petit-déjeuner cybersécurité",
    "Fin du support Windows 10 : que faire ?",
    "Lettre d'information du trimestre",
)

DOLIBARR_TICKET_SUBJECTS = (
    "Panne de messagerie",
    "Demande d'intervention sur l'imprimante",
    "Question sur la facture",
    "Problème d'accès au logiciel de gestion",
    "Demande de devis pour un nouveau poste",
)

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
)
