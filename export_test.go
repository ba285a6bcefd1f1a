package cauri

// OnCompletionQueued sets a hook k calls with the number of OnPaid
// successes waiting each time one queues behind a write under way. It must
// be set before k serves anything.
func OnCompletionQueued(k *Kit, f func(waiting int)) { k.completer.queued = f }
