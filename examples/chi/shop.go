package main

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/cauripay/cauri/examples/internal/demo"
	"github.com/cauripay/cauri/providers/dexchange/dexchangetest"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/providertest"
)

// shop is the demo shop (examples/internal/demo) on the Moneroo and
// DEXCHANGE emulators.
type shop struct {
	*demo.Shop
	emus map[string]demo.Emulator // provider name → its emulator
}

// newShop builds the shop at publicURL, with its payments in memory, and
// starts the emulators, which Close stops. An empty secret means a random
// one; log may be nil.
func newShop(publicURL, secret string, log *slog.Logger) (*shop, error) {
	s := &shop{emus: make(map[string]demo.Emulator)}
	emus := []demo.Emulator{
		monerootest.New(providertest.WithMerchant("Cauri chi shop")),
		dexchangetest.New(providertest.WithMerchant("Cauri chi shop")),
	}
	for _, em := range emus {
		s.emus[em.Provider().Name()] = em
	}
	var err error
	s.Shop, err = demo.NewShop(demo.ShopConfig{Title: "Cauri chi shop", PublicURL: publicURL, Secret: secret, Emulators: emus, Logger: log})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// router is the shop's chi router: the whole kit mounted under /pay,
// stripped of that prefix, the shop's pages and the metrics, behind chi's
// middleware.
func (s *shop) router() chi.Router {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, s.requestLog, middleware.Recoverer)
	// Mount hands a plain http.Handler the whole path: without
	// StripPrefix the kit would see /pay/checkout/… and answer 404.
	r.Mount("/pay", http.StripPrefix("/pay", s.Kit))
	r.Get("/", s.Home)
	r.Get("/thanks", s.PaymentPage)
	r.Get("/sorry", s.PaymentPage)
	r.Get("/waiting", s.PaymentPage)
	r.Handle("/metrics", s.Metrics())
	return r
}

// requestLog logs each request with its route pattern, never its URL:
// the kit's return, callback and status URLs, and the shop's payment
// pages, carry tokens. It stands where chi's middleware.Logger would.
func (s *shop) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := time.Now()
		defer func() {
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			level := slog.LevelInfo
			if status >= http.StatusInternalServerError {
				level = slog.LevelWarn
			}
			route := ""
			if rc := chi.RouteContext(r.Context()); rc != nil {
				route = rc.RoutePattern()
			}
			s.Log.LogAttrs(r.Context(), level, "request",
				slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
				slog.Duration("latency", time.Since(start)), slog.String("request_id", middleware.GetReqID(r.Context())))
		}()
		next.ServeHTTP(ww, r)
	})
}
