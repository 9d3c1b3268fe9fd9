"""Where personal data may go without a further safeguard (GDPR Chapter V, R26).

The EEA: the 27 EU member states plus Iceland, Liechtenstein and Norway. Adequacy:
countries with a European Commission adequacy decision under Art. 45 (for the United
States, only organisations certified under the EU-US Data Privacy Framework, so it is
*not* listed here: a US recipient needs a recorded safeguard naming the DPF or SCCs).
"""

from __future__ import annotations

EEA: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
        "IS", "LI", "NO",
    }
)  # fmt: skip

ADEQUACY: dict[str, str] = {
    "AD": "Décision 2010/625/UE (Andorre)",
    "AR": "Décision 2003/490/CE (Argentine)",
    "CA": "Décision 2002/2/CE (Canada, organisations soumises à la PIPEDA)",
    "CH": "Décision 2000/518/CE (Suisse)",
    "FO": "Décision 2010/146/UE (Îles Féroé)",
    "GB": "Décision d'exécution (UE) 2021/1772 (Royaume-Uni)",
    "GG": "Décision 2003/821/CE (Guernesey)",
    "IL": "Décision 2011/61/UE (Israël)",
    "IM": "Décision 2004/411/CE (Île de Man)",
    "JE": "Décision 2008/393/CE (Jersey)",
    "JP": "Décision d'exécution (UE) 2019/419 (Japon)",
    "KR": "Décision d'exécution (UE) 2022/254 (Corée du Sud)",
    "NZ": "Décision 2013/65/UE (Nouvelle-Zélande)",
    "UY": "Décision 2012/484/UE (Uruguay)",
}


def needs_safeguard(country: str) -> bool:
    """True when sending data to ``country`` needs an Art. 46 safeguard on record."""
    return country.upper() not in EEA and country.upper() not in ADEQUACY
