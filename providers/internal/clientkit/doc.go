// Package clientkit is the production code the provider clients under
// providers/ share where their logic is the same: the HMAC-SHA256 webhook
// signatures several providers send, the setting up of a client's logger
// and webhook secrets, the checks of an order or a payout before any call,
// the POST of a body built from it, the status lookup by a secret
// reference and the judging of its answer, and the lenient reading of the
// JSON values of providers' answers. Each client keeps its own exported
// API, errors and documentation, and passes its own errors in.
//
// It is internal: this module does not promise its API.
package clientkit
