"""The staff service for gunicorn, and the app behind every `flask --app wsgi …` command.

`gunicorn -c config/gunicorn.conf.py wsgi:app` serves sign-in, the workspace, results,
the API and releases; it is the only service that loads the key-encryption key. The
respondent pages are a separate service: `wsgi_respondent:app`. A configuration that
cannot run stops the start with one plain line naming what is wrong.
"""

from survey.apps import boot, create_staff_app
from survey.keys import KeyConfigError

app = boot(create_staff_app, KeyConfigError)
