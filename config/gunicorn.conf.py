"""gunicorn settings. The access log deliberately has no client address and no user agent."""

import os

# `make run` (config/serve.py) starts the respondent service on 8000 and the staff one on 8001.
bind = os.environ.get("LANTERN_BIND", "127.0.0.1:8000")
# Phones on slow networks hold connections open while they trickle a form in; threads let a
# worker keep serving others meanwhile without the memory of extra processes.
workers = int(os.environ.get("LANTERN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("LANTERN_THREADS", "4"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Bound request sizes before they reach the app.
limit_request_line = 4094
limit_request_fields = 50
accesslog = "-"
# Method, path (survey tokens scrubbed), status, size, duration: no address, no user agent,
# no referrer and no timestamp (see config/access_log.py, which enforces this for any format).
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'
logger_class = "config.access_log.PrivateAccessLogger"
errorlog = "-"
forwarded_allow_ips = os.environ.get("LANTERN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket: gunicorn's default path (~/.gunicorn/gunicorn.ctl) is shared by every
# instance on the host, so the respondent and staff services (or two checkouts) would take
# over each other's.
control_socket_disable = True
