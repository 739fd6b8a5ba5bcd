"""gunicorn settings for the benchmarked Joinery server, with optional request profiling.

One worker, threaded (gthread) so that client connections are kept alive; logging at warning
level. When ``BENCH_PROFILE_OUT`` names a file, requests carrying the header ``X-Bench-Profile``
run under cProfile and the accumulated statistics are written there when the worker exits;
without it no hook is installed and requests run untouched.
"""

import cProfile
import os
import threading

workers = 1
worker_class = "gthread"
threads = 4
keepalive = 60
timeout = 300
graceful_timeout = 10
loglevel = "warning"
accesslog = None
control_socket_disable = True  # of no use here, and every gunicorn on the machine would claim the same path

PROFILE_HEADER = "X-BENCH-PROFILE"
_profile_out = os.environ.get("BENCH_PROFILE_OUT")

if _profile_out:
    _profiler = cProfile.Profile()
    _profiling = threading.local()

    def pre_request(worker, req):
        """Profile this request if it asks to be."""
        _profiling.active = any(name == PROFILE_HEADER for name, _ in req.headers)
        if _profiling.active:
            _profiler.enable()

    def post_request(worker, req, environ, resp):
        """Stop profiling after the response has been written."""
        if getattr(_profiling, "active", False):
            _profiler.disable()
            _profiling.active = False

    def worker_exit(server, worker):
        """Write the statistics gathered."""
        _profiler.dump_stats(_profile_out)
