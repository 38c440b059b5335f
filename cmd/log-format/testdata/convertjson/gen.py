"""Writes real oslo.log JSON lines, for log-format's convert-json test.

Every line is made by oslo.log's own JSONFormatter, from real
oslo_context.RequestContext objects, real exceptions (chained, with
non-ASCII text), DEBUG records (whose funcname, pathname and lineno a
locator reads), several loggers and every level oslo.log names.

    python3 gen.py > lines.json                   the lines
    python3 gen.py --locator FMT [--prefix P] < lines.json
        convert-json's output as its --help documents it: the locator
        appended to DEBUG records (oslo.log 5.0.1's convert-json accepts
        --locator but never prints it), made with its own console_format.
"""
import collections
import logging
import sys

from oslo_context import context
from oslo_log import formatters
from oslo_log import log
from oslo_serialization import jsonutils


def resize(logger, flavor):
    """A second function, so that funcname (and a locator) varies."""
    logger.debug('Resizing to flavor %s', flavor)
    logger.info('Resized to %(flavor)s in %(secs).2f s', {'flavor': flavor, 'secs': 1.25})


def generate(out):
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatters.JSONFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(5)  # oslo.log's TRACE

    api = logging.getLogger('nova.api.openstack.wsgi')
    compute = logging.getLogger('nova.compute.manager')
    messaging = logging.getLogger('oslo_messaging._drivers.amqpdriver')
    auth = logging.getLogger('keystonemiddleware.auth_token')
    plain = logging.getLogger('nova')

    ctx = context.RequestContext(
        user_id='9a1f0c', project_id='p-42', user_name='alice',
        project_name='demo', user_domain_id='default',
        project_domain_id='default', roles=['member', 'reader'],
        request_id='req-0b9c6f1e-4d2a-4c8e-9f3b-7a5d1e2c4b6a',
        global_request_id='req-11112222-3333-4444-5555-666677778888')
    other = context.RequestContext(
        user_id='u-2', project_id='p-7',
        request_id='req-aaaabbbb-cccc-dddd-eeee-ffff00001111',
        overwrite=False)

    plain.info('Starting nova-api (pid %d)', 4242)
    # The current context (the thread-local store) and an explicit one.
    ctx.update_store()
    api.debug("Action: 'action', calling method: %s, body: %s",
              '<bound method PauseController._pause>', '{"pause": null}')
    api.info('%(client)s "%(request)s" status: %(status)s',
             {'client': '10.0.0.5', 'request': 'POST /v2.1/servers/3f2a/action HTTP/1.1',
              'status': 202})
    compute.debug('Lock "compute_resources" acquired by "%s" :: waited 0.000s',
                  'nova.compute.resource_tracker.ResourceTracker.instance_claim',
                  extra={'context': other})
    compute.warning('Instance %s is paused; skipping', '3f2a')
    messaging.debug('CAST unique_id: %s exchange: nova topic: compute', 'd3b0')
    auth.warning('Authorization failed for token')
    compute.info('Caf\u00e9 \u2603 na\u00efve \u00e9t\u00e9 \u4e2d\u6587 \U0001f600')
    compute.info('first line\nsecond line\n\tindented third')
    compute.info('100%% done, ratio 0.5')
    compute.error('Quota exceeded for %(res)s', {'res': 'cores'})
    try:
        try:
            {}['flavor']
        except KeyError as e:
            raise ValueError('Flavor m1.t\u00efny is invalid: %s' % e) from e
    except ValueError:
        api.exception('Unexpected exception in API method')
    try:
        raise RuntimeError('line one\nline two of the message')
    except RuntimeError:
        compute.critical('Compute failed', exc_info=True)
    try:
        1 / 0
    except ZeroDivisionError:
        # An error with an exception in flight but not given: oslo.log
        # fills error_summary, not traceback.
        compute.error('Division while resizing')
    resize(compute, 'm1.small')
    compute.log(5, 'trace level record')
    plain.debug('debug with no context', extra={'context': None})
    plain.info('')
    plain.warning('last line')


def expect_locator(prefix, locator, lines):
    from oslo_log.cmds import convert_json
    for line in lines:
        line = line.strip()
        if not line:
            continue
        record = jsonutils.loads(line)
        out = list(convert_json.console_format(prefix, locator, record))
        if not out:
            continue
        r = collections.defaultdict(str, record)
        if r.get('levelno', 100) <= log.DEBUG or r.get('levelname') == 'DEBUG':
            out[0] += ' ' + locator % r
        for o in out:
            print(o)


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--locator':
        prefix = '%(asctime)s.%(msecs)03d %(process)s %(levelname)s %(name)s'
        if len(sys.argv) > 4 and sys.argv[3] == '--prefix':
            prefix = sys.argv[4]
        expect_locator(prefix, sys.argv[2], sys.stdin)
    else:
        generate(sys.stdout)
