package cauri

// OnCompletionQueued sets a hook k calls with the number of OnPaid
// successes waiting each time one queues behind a write under way. It must
// be set before k serves anything.
func OnCompletionQueued(k *Kit, f func(waiting int)) { k.completer.queued = f }

// CanMoveTo reports whether the state machine allows from → to, as the
// kit's apply consults it.
func CanMoveTo(from, to Status) bool { return from.canMoveTo(to) }
