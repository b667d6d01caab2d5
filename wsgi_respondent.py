"""The respondent service for gunicorn: `gunicorn -c config/gunicorn.conf.py wsgi_respondent:app`.

It serves the survey pages under `/s/`, static files and `/healthz`, and nothing else. Give
it no key-encryption key: it refuses to start when `LANTERN_KEK`, `LANTERN_KEK_PREVIOUS` or
`LANTERN_KEK_FILE` is set, and it never imports the staff blueprints or the key loaders.
"""

from survey.apps import boot, create_respondent_app

app = boot(create_respondent_app)
