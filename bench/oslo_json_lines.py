"""Writes N oslo.log JSON lines for bench/cli.sh, with oslo.log's own
JSONFormatter: the peer convert-json reads them, and so does log-format.

    python3 oslo_json_lines.py N FILE

A mix like a nova service's log: INFO requests under real
oslo_context.RequestContexts, DEBUG records, warnings, and errors with a
chained exception (whose traceback the formatter writes as a list of
lines), from several loggers. The content is fixed by a seeded random; the
times are the clock's.
"""
import logging
import random
import sys

from oslo_context import context
from oslo_log import formatters

LOGGERS = ['nova.api.openstack.wsgi', 'nova.compute.manager', 'nova.scheduler.host_manager',
           'oslo_messaging._drivers.amqpdriver', 'keystonemiddleware.auth_token']


def fail(flavor):
    try:
        {}[flavor]
    except KeyError as e:
        raise ValueError('Flavor %s is invalid' % flavor) from e


def main(n, path):
    rnd = random.Random(1)
    with open(path, 'w') as out:
        handler = logging.StreamHandler(out)
        handler.setFormatter(formatters.JSONFormatter())
        root = logging.getLogger()
        root.handlers = [handler]
        root.setLevel(logging.DEBUG)
        loggers = [logging.getLogger(name) for name in LOGGERS]
        contexts = [context.RequestContext(
            user_id='u%04d' % i, project_id='p%03d' % (i % 50), user_name='user%d' % i,
            project_name='demo', roles=['member', 'reader'],
            request_id='req-%08x-0000-4000-8000-%012x' % (i, i * 7919),
            global_request_id='req-%08x-1111-4111-8111-%012x' % (i, i),
            overwrite=False) for i in range(200)]
        for i in range(n):
            log = loggers[rnd.randrange(len(loggers))]
            ctx = contexts[rnd.randrange(len(contexts))]
            extra = {'context': ctx}
            r = rnd.random()
            if r < 0.6:
                log.info('%(client)s "%(request)s" status: %(status)s len: %(len)s time: %(time).7f',
                         {'client': '10.0.%d.%d' % (i % 7, i % 251),
                          'request': 'POST /v2.1/servers/%08x/action HTTP/1.1' % i,
                          'status': 202, 'len': 0, 'time': rnd.random()}, extra=extra)
            elif r < 0.8:
                log.debug('Lock "compute_resources" acquired by "%s" :: waited %.3fs',
                          'nova.compute.resource_tracker.ResourceTracker.instance_claim',
                          rnd.random(), extra=extra)
            elif r < 0.95:
                log.warning('Instance %08x is paused; skipping', i, extra=extra)
            else:
                try:
                    fail('m1.t%d' % i)
                except ValueError:
                    log.exception('Unexpected exception in API method', extra=extra)


if __name__ == '__main__':
    main(int(sys.argv[1]), sys.argv[2])
