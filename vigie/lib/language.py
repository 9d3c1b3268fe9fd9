"""The query parameter that picks the interface language (``?lang=en``).

Shared by the web middleware that reads it and the pages of lower apps (the policy)
that link to the other language.
"""

LANG_PARAM = "lang"
