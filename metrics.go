package cauri

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Webhook outcomes, the values of cauri_webhooks_total's outcome label.
const (
	outcomeAccepted        = "accepted"         // believed and applied (or a pending no-op)
	outcomeConfirmed       = "confirmed"        // unsigned, confirmed by the provider's status endpoint, applied
	outcomeThrottled       = "throttled"        // unsigned, about a payment asked about lately: no call, 503
	outcomeDuplicate       = "duplicate"        // the payment had already settled
	outcomeUnauthenticated = "unauthenticated"  // bad signature, hash or token
	outcomeAmountMismatch  = "amount_mismatch"  // amount or currency differs from the stored payment
	outcomeUnknownPayment  = "unknown_payment"  // no payment of ours matches
	outcomeIgnored         = "ignored"          // an event that carries no payment status
	outcomeMalformed       = "malformed"        // unreadable body
	outcomeTooLarge        = "too_large"        // over Config.MaxWebhookBytes
	outcomeError           = "error"            // our failure (store, provider status call, OnPaid): 5xx
	outcomeUnknownProvider = "unknown_provider" // no provider of that name; labelled provider="unknown"
)

// unknownProviderLabel keeps names taken from a URL out of label values.
const unknownProviderLabel = "unknown"

// metrics holds every collector of the kit. Labels take bounded values
// only: provider names from the configuration and fixed outcome words; never
// an ID, URL or amount.
type metrics struct {
	providerRequests *prometheus.CounterVec   // provider, operation, outcome
	providerDuration *prometheus.HistogramVec // provider, operation
	providerRetries  *prometheus.CounterVec   // provider, operation
	breakerState     *prometheus.GaugeVec     // provider: 0 closed, 1 half-open, 2 open
	checkouts        *prometheus.CounterVec   // provider, outcome
	webhooks         *prometheus.CounterVec   // provider, outcome
	returns          *prometheus.CounterVec   // provider, outcome
	transitions      *prometheus.CounterVec   // provider, to
	onPaid           *prometheus.CounterVec   // provider, outcome
	onPaidDuration   *prometheus.HistogramVec // provider
	onRefunded       *prometheus.CounterVec   // provider, outcome
	anomalies        *prometheus.CounterVec   // provider, anomaly
	payouts          *prometheus.CounterVec   // provider, outcome
	resolutions      *prometheus.CounterVec   // provider, outcome
	payoutBacklog    *prometheus.GaugeVec     // provider
	reconcilePasses  *prometheus.CounterVec   // outcome
	reconciled       *prometheus.CounterVec   // provider, outcome
	pendingBacklog   *prometheus.GaugeVec     // provider

	// The series of webhooks and transitions, by provider then outcome
	// (or status moved to), looked up once by zero: a notification's
	// counters cost a map lookup rather than hashing their labels. Read
	// only once the kit is built.
	webhookSeries    map[string]map[string]prometheus.Counter
	transitionSeries map[string]map[string]prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	c := &collectors{reg: reg}
	m := &metrics{
		providerRequests: c.counter("cauri_provider_requests_total",
			"Calls to payment providers' APIs, by operation and outcome (ok, transient, permanent, breaker_open, canceled, rate_limited: not sent to keep within the provider's rate, or answered 429).",
			"provider", "operation", "outcome"),
		providerDuration: c.histogram("cauri_provider_request_duration_seconds",
			"Duration of each attempt of a call to a provider's API.",
			[]float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}, "provider", "operation"),
		providerRetries: c.counter("cauri_provider_retries_total",
			"Retries of provider calls after a transient failure.",
			"provider", "operation"),
		breakerState: c.gauge("cauri_circuit_breaker_state",
			"State of each provider's circuit breaker: 0 closed, 1 half-open, 2 open.",
			"provider"),
		checkouts: c.counter("cauri_checkouts_total",
			"Checkout requests by outcome (created, reused, already_paid, invalid_order, order_error, provider_unavailable, provider_rejected, cross_site, error, unknown_provider).",
			"provider", "outcome"),
		webhooks: c.counter("cauri_webhooks_total",
			"Webhook notifications by outcome (accepted; confirmed: unsigned, confirmed with the provider's status endpoint, then applied; duplicate; unauthenticated; throttled: unsigned, about a pending payment whose poll budget was spent, answered from the store without calling the provider; amount_mismatch, unknown_payment, ignored, malformed, too_large, error, unknown_provider).",
			"provider", "outcome"),
		returns: c.counter("cauri_returns_total",
			"Customers coming back from a provider, by the page they were sent to (success, failure, pending, superseded: to the failure page, a newer checkout of the order replaced the payment) or the error (bad_token, unknown_payment, error, unknown_provider).",
			"provider", "outcome"),
		transitions: c.counter("cauri_payment_transitions_total",
			"Payments that moved from pending to a final status, or from paid to refunded.",
			"provider", "to"),
		onPaid: c.counter("cauri_onpaid_total",
			"Calls to the shop's OnPaid hook by outcome (ok, error).",
			"provider", "outcome"),
		onRefunded: c.counter("cauri_onrefunded_total",
			"Calls to the shop's OnRefunded hook by outcome (ok, error).",
			"provider", "outcome"),
		onPaidDuration: c.histogram("cauri_onpaid_duration_seconds",
			"Duration of the shop's OnPaid hook.",
			prometheus.DefBuckets, "provider"),
		anomalies: c.counter("cauri_payment_anomalies_total",
			"Payments paid that must be refunded or settled by hand rather than fulfilled, by anomaly (superseded: a newer checkout of the order had replaced it; paid_twice: another payment of the order was paid first).",
			"provider", "anomaly"),
		payouts: c.counter("cauri_payouts_total",
			"Payouts by outcome (succeeded, pending, failed, duplicate, key_reused, unknown, provider_unavailable, error).",
			"provider", "outcome"),
		resolutions: c.counter("cauri_payout_resolutions_total",
			"Questions about payouts left pending (Kit.ResolvePayout and the reconciler), by outcome (succeeded, failed: the provider's word, recorded; pending: not settled yet; settled: finished meanwhile by another call; unresolvable: the provider cannot be asked about it, a person must settle it; skipped: not asked, the provider's breaker or rate; error).",
			"provider", "outcome"),
		payoutBacklog: c.gauge("cauri_reconcile_payouts_pending",
			"Payouts still pending past the reconciler's PayoutGrace after the last reconcile pass asked about them.",
			"provider"),
		reconcilePasses: c.counter("cauri_reconcile_passes_total",
			"Reconcile passes by outcome (ok, error).",
			"outcome"),
		reconciled: c.counter("cauri_reconcile_payments_total",
			"Payments a reconcile pass looked at, by outcome (settled, expired, pending, skipped, amount_mismatch, error, fulfilled, refunded).",
			"provider", "outcome"),
		pendingBacklog: c.gauge("cauri_reconcile_pending",
			"Payments still pending past the reconcile grace period, as the last reconcile pass found them.",
			"provider"),
	}
	return m, c.err
}

// collectors makes the kit's collectors and registers them on reg, when
// there is one. Two kits on one registry (replicas in one process, tests)
// share the collectors the first one registered. err keeps the first
// failure.
type collectors struct {
	reg prometheus.Registerer
	err error
}

// counter returns the counter vector name, with its help and labels.
func (c *collectors) counter(name, help string, labels ...string) *prometheus.CounterVec {
	return register(c, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels))
}

// gauge returns the gauge vector name, with its help and labels.
func (c *collectors) gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	return register(c, prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels))
}

// histogram returns the histogram vector name, with its help, buckets and
// labels.
func (c *collectors) histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	return register(c, prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels))
}

// register registers col on c's registry, or returns the identical
// collector already registered there.
func register[C prometheus.Collector](c *collectors, col C) C {
	if c.reg == nil {
		return col
	}
	err := c.reg.Register(col)
	if err == nil {
		return col
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	if c.err == nil {
		c.err = err
	}
	return col
}

// outcomes lists the outcome label values of each per-provider counter, so
// that every series exists from the start at zero: a counter first seen at
// 1 hides its first event from increase() and rate().
var outcomes = map[string][]string{
	"checkouts": {"created", "reused", "already_paid", "invalid_order", "order_error", "provider_unavailable", "provider_rejected", "cross_site", "error"},
	"webhooks": {outcomeAccepted, outcomeConfirmed, outcomeDuplicate, outcomeUnauthenticated, outcomeThrottled,
		outcomeAmountMismatch, outcomeUnknownPayment, outcomeIgnored, outcomeMalformed, outcomeTooLarge, outcomeError},
	"returns":   {"success", "failure", "pending", "superseded", "bad_token", "unknown_payment", "error"},
	"onpaid":    {"ok", "error"},
	"anomalies": {string(AnomalySuperseded), string(AnomalyPaidTwice), string(AnomalyOverpaid)},
	"resolutions": {resolvedSucceeded, resolvedFailed, resolvedPending, resolvedSettled, unresolvable,
		resolveSkipped, resolveError},
}

// zero creates the series of provider at zero.
func (m *metrics) zero(provider string) {
	for _, o := range outcomes["checkouts"] {
		m.checkouts.WithLabelValues(provider, o)
	}
	byOutcome := make(map[string]prometheus.Counter, len(outcomes["webhooks"]))
	for _, o := range outcomes["webhooks"] {
		byOutcome[o] = m.webhooks.WithLabelValues(provider, o)
	}
	m.webhookSeries = setSeries(m.webhookSeries, provider, byOutcome)
	for _, o := range outcomes["returns"] {
		m.returns.WithLabelValues(provider, o)
	}
	for _, o := range outcomes["onpaid"] {
		m.onPaid.WithLabelValues(provider, o)
		m.onRefunded.WithLabelValues(provider, o)
	}
	for _, a := range outcomes["anomalies"] {
		m.anomalies.WithLabelValues(provider, a)
	}
	byStatus := make(map[string]prometheus.Counter, 5)
	for _, to := range []Status{StatusPaid, StatusFailed, StatusCancelled, StatusExpired, StatusRefunded} {
		byStatus[string(to)] = m.transitions.WithLabelValues(provider, string(to))
	}
	m.transitionSeries = setSeries(m.transitionSeries, provider, byStatus)
}

// setSeries returns all, made if nil, with provider's series set.
func setSeries(all map[string]map[string]prometheus.Counter, provider string, series map[string]prometheus.Counter) map[string]map[string]prometheus.Counter {
	if all == nil {
		all = make(map[string]map[string]prometheus.Counter)
	}
	all[provider] = series
	return all
}

// webhook returns the counter of notifications from provider with
// outcome.
func (m *metrics) webhook(provider, outcome string) prometheus.Counter {
	if c, ok := m.webhookSeries[provider][outcome]; ok {
		return c
	}
	return m.webhooks.WithLabelValues(provider, outcome)
}

// transition returns the counter of provider's payments moved to to.
func (m *metrics) transition(provider string, to Status) prometheus.Counter {
	if c, ok := m.transitionSeries[provider][string(to)]; ok {
		return c
	}
	return m.transitions.WithLabelValues(provider, string(to))
}

// zeroPayouts creates the payout resolution series of a provider that
// offers payouts at zero.
func (m *metrics) zeroPayouts(provider string) {
	for _, o := range outcomes["resolutions"] {
		m.resolutions.WithLabelValues(provider, o)
	}
}
