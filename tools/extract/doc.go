// Package extract reads the user actions of an OpenStack cloud out of its
// logs: the legacy oslo.log text logs of nova, glance and neutron, and our
// own JSON audit lines, alone or mixed. It is the logic behind the
// log-extract command, which replaced a Python script that did the same for
// VM actions (seed 000).
//
// # What counts as an action
//
// An action starts from an API access line, the INFO line each API server
// writes when a request is done (or from one of our JSON request lines,
// its counterpart):
//
//	10.11.10.1 "POST /v2/<project>/servers/<uuid>/action HTTP/1.1" status: 202 len: 0 time: 0.2477829
//
// [ClassifyVM], [ClassifyGlance] and [ClassifyNeutron] read its method and
// path in the three modes. A server action's access line does not show its
// body, which names the action; the extractor resolves it from the other
// lines of the logs, in this order, and never guesses:
//
//  1. the DEBUG lines of nova-api for the same request id that show the
//     body or the controller method ([DebugAction]);
//  2. the lines nova-compute logs for the same request id ("Rebooting
//     instance", "Pausing"…: [RequestMessage]);
//  3. the lines of other services for the same request id (consoleauth's
//     "Received Token" for a console);
//  4. the lifecycle events of the instance ("VM Paused (Lifecycle Event)")
//     within the window after the request, leaving out the automatic ones
//     of a boot, a migration or a deletion ([AutomaticMark]) and those
//     another resolved action explains;
//  5. for Havana, whose lines name none of a stop, a start or a suspend,
//     the inference rules ([RuleManagedSave], [RuleStopDestroyed],
//     [RuleStartHardReboot]), which read what compute did to the
//     instance soon after; such an action is matched "inferred" and
//     carries the rule's name.
//
// Every line is read in English: a line nova wrote in the service's
// locale is turned back into nova's English message first, from nova's
// own translation catalogs ([Untranslate]); lifecycle events are read in
// each form nova has written them ([LifecycleLine]).
//
// What nothing resolves is emitted as action "unknown", match
// "unresolved". A create's instance id comes from the first lines of the
// same request that name an instance ("[instance: <uuid>]"); a request that
// made several instances gives one create per instance.
//
// # Action names
//
// Every action is a lowercase kebab-case verb, the vocabulary of the
// README's table and of our HTTP middleware's audit lines, so the two
// sources agree. A server action is named from the key of its request
// body ([ServerAction]): pause, unpause, suspend, resume, reboot, rebuild,
// resize, confirm-resize, revert-resize, migrate, live-migrate, shelve,
// shelve-offload, unshelve, rescue, unrescue, lock, unlock, create-image,
// create-backup, change-password, reset-state, force-delete, restore,
// evacuate, trigger-crash-dump, add-floating-ip…; os-start and os-stop are
// start and stop, and the console requests of older APIs
// (os-getVNCConsole and the like) console, as POST …/remote-consoles is.
// The body's own key, when it differs (os-migrateLive, confirmResize), is
// kept as Action.APIAction (attrs.api_action in the audit lines). Glance
// actions are create, update, delete, upload, stage, import, deactivate,
// reactivate, add-tag, remove-tag, add-member, update-member and
// remove-member ([ClassifyGlance]); neutron's create, update, delete,
// add-router-interface and remove-router-interface ([ClassifyNeutron]),
// the last two with the path's add_router_interface as APIAction.
//
// # Streaming
//
// [Extractor] takes records in time order and holds each action until
// Options.Window of log time has passed after its access line, so the lines
// that resolve it are in; then it emits it. Everything it keeps expires
// with that window, so its memory does not grow with the input. [Run]
// reads files (plain or gzip) and standard input, merges them by time, one
// record ahead per file, and looks at most lines only long enough to see
// they cannot matter. Incremental runs save [Stats.Checkpoints] and start
// from them (Options.Start).
//
// # Using it
//
// [Run] does it all: it reads the inputs, emits every action and returns
// [Stats] with the checkpoints. A command that writes actions in batches
// and saves its reading state after each committed batch uses the pieces:
//
//	var e *extract.Extractor
//	e = extract.New(opts, func(a action.Action) error {
//		batch = append(batch, a)
//		if len(batch) == size {
//			cp := e.Checkpoint() // counts a, and nothing after it, as done
//			… write the batch, then save cp …
//		}
//		return nil
//	})
//	err := e.ReadFiles(ctx, names) // ends with Flush
//	… write the last batch, save e.Checkpoint(), report e.Stats() …
//
// Tests and other feeders call [Extractor.AddRecord] and
// [Extractor.AddJSON] directly, and [Extractor.Flush] at the end.
package extract
