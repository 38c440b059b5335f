#!/usr/bin/env python3
"""Write the input of the "oslo-json" golden case: lines as oslo.log's
JSONFormatter writes them (oslo_log/formatters.py, openstack/oslo.log master:
the same keys, in the same order, through json.dumps with its default
separators and ensure_ascii). oslo.log itself is not installable here, so
its format() is mirrored for records made by Python's own logging, with a
fixed clock. The context is what _dictify_context gives for a Kilo-era
RequestContext, auth_token in clear as those releases logged it.

    python3 tools/logexpand/testdata/gen/oslo_json.py > tools/logexpand/testdata/oslo-json/input
"""
import json
import logging
import sys
import time
import traceback

CONTEXT = {
    "auth_token": "gAAAAABhZ3Vh-token-in-clear",
    "domain": None, "global_request_id": "req-0a3e9d67-3f7e-4f8e-9a2b-5d1c2e3f4a5b",
    "is_admin": True, "is_admin_project": True, "project_domain": "default",
    "project_id": "8d8fbc0c4f8c4d6e9b3a1f2e3d4c5b6a", "project_name": "demo",
    "read_only": False, "request_id": "req-5f2adc28-1772-480e-a35c-c12ec08b94d7",
    "resource_uuid": None, "roles": ["admin", "member", "reader"], "show_deleted": False,
    "tenant": "8d8fbc0c4f8c4d6e9b3a1f2e3d4c5b6a", "user": "2f4e6a8c0b1d3f5e7a9c1e3b5d7f9a1c",
    "user_domain": "default", "user_id": "2f4e6a8c0b1d3f5e7a9c1e3b5d7f9a1c",
    "user_identity": "2f4e6a8c0b1d3f5e7a9c1e3b5d7f9a1c 8d8fbc0c4f8c4d6e9b3a1f2e3d4c5b6a - default default",
    "user_name": "admin",
}

CREATED = 1446130372.710


def fmt(record, context, extra, tb=None):
    message = {
        'message': record.getMessage(),
        'asctime': time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(record.created)) + ',%03d' % int(record.msecs),
        'name': record.name,
        'msg': record.msg,
        'args': record.args,
        'levelname': record.levelname,
        'levelno': record.levelno,
        'pathname': record.pathname,
        'filename': record.filename,
        'module': record.module,
        'lineno': record.lineno,
        'funcname': record.funcName,
        'created': record.created,
        'msecs': record.msecs,
        'relative_created': record.relativeCreated,
        'thread': 140234568124160,
        'thread_name': 'MainThread',
        'process_name': 'MainProcess',
        'process': 28343,
        'traceback': None,
        'hostname': 'hp-ms-01-c29',
        'error_summary': '',
        'context': context,
        'extra': extra,
    }
    if tb is not None:
        message['error_summary'] = tb.rstrip().split('\n')[-1]
        message['traceback'] = '\n'.join(
            l for line in [tb] for l in line.rstrip().splitlines() if l)
    return json.dumps(message)


def record(name, level, path, lineno, func, msg, args, offset):
    r = logging.LogRecord(name, level, path, lineno, msg, args, None, func)
    r.created = CREATED + offset
    r.msecs = (r.created - int(r.created)) * 1000
    r.relativeCreated = 123456.789 + offset * 1000
    return r


def main():
    w = sys.stdout.write
    r = record('nova.api.openstack.wsgi', logging.DEBUG,
               '/usr/lib/python2.7/site-packages/nova/api/openstack/wsgi.py', 934,
               '_process_stack', "Action: '%(action)s', calling method: %(meth)s, body: %(body)s",
               {'action': 'action', 'meth': '<bound method AdminActionsController._migrate_live>',
                'body': '{"os-migrateLive": {"disk_over_commit": false, "block_migration": false, "host": "hp-ms-01-c29"}}'}, 0)
    w(fmt(r, CONTEXT, {'project': 'nova', 'version': '12.0.0'}) + '\n')
    r = record('nova.osapi_compute.wsgi.server', logging.INFO,
               '/usr/lib/python2.7/site-packages/nova/wsgi.py', 470, 'handle_one_response',
               '%s "%s" status: %s len: %s time: %.7f',
               ('10.16.184.41', 'POST /v2/8d8fbc0c/servers/a18a5824/action HTTP/1.1', 202, 187, 0.3424392), 0.2)
    w(fmt(r, CONTEXT, {'project': 'nova', 'version': '12.0.0'}) + '\n')
    try:
        {}['instance_uuid']
    except KeyError:
        tb = traceback.format_exc()
    r = record('nova.compute.manager', logging.ERROR,
               '/usr/lib/python2.7/site-packages/nova/compute/manager.py', 6205, '_error_out_instance_on_exception',
               'Setting instance vm_state to ERROR', (), 1.5)
    w(fmt(r, CONTEXT, {'instance': {'uuid': 'a18a5824-4215-4e24-bcfc-cb9f89f6bcbd'}, 'project': 'nova'}, tb) + '\n')
    r = record('oslo_messaging._drivers.amqpdriver', logging.DEBUG,
               '/usr/lib/python3/dist-packages/oslo_messaging/_drivers/amqpdriver.py', 443, 'put',
               ' queues: %(queues)s, message: %(message)s',
               {'queues': 1, 'message': {'result': {'service': 'conductor', 'arg': u'1.21 GigaWatts'},
                                         'failure': None, 'ending': True}}, 2.25)
    r.args = {'queues': 1, 'message': repr(r.args['message'])}
    w(fmt(r, {}, {'project': 'unknown', 'version': 'unknown'}) + '\n')
    r = record('keystoneauth.session', logging.WARNING,
               '/usr/lib/python3/dist-packages/keystoneauth1/session.py', 577, '_http_log_response',
               'Failure: Unable to establish connection to http://10.5.0.10:9696/v2.0/ports: caf\u00e9', (), 3)
    w(fmt(r, dict(CONTEXT, auth_token=None), {}) + '\n')


if __name__ == '__main__':
    main()
