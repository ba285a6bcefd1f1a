package clientkit

import (
	"log/slog"
	"net/url"
)

// Logger returns the logger of provider's client: log, or one that
// discards when log is nil, naming the provider. It warns when blank
// webhook secrets were left out: configured is how many the configuration
// holds, used how many NonBlank kept.
func Logger(log *slog.Logger, provider string, configured, used int) *slog.Logger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("provider", provider)
	if blank := configured - used; blank > 0 {
		log.Warn("blank webhook secrets ignored", "blank", blank, "secrets_in_use", used)
	}
	return log
}

// APIRoot reports whether base is an absolute http(s) URL with no query,
// fragment or user info, as an API's root must be.
func APIRoot(base string) bool {
	u, err := url.Parse(base)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
		u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" && u.User == nil
}

// AbsoluteHTTP reports whether raw is an absolute http(s) URL.
func AbsoluteHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
