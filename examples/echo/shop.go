package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/examples/internal/demo"
	"github.com/cauripay/cauri/providers/moneroo"
	"github.com/cauripay/cauri/providers/moneroo/monerootest"
	"github.com/cauripay/cauri/providers/providertest"
)

// shop is the demo shop (examples/internal/demo) with Moneroo, live or on
// its emulator.
type shop struct {
	*demo.Shop
	cfg config
	emu *monerootest.Server // nil against the real Moneroo
}

// newShop builds the shop for cfg, with its payments in memory. In
// emulator mode (no MonerooSecretKey) it starts the Moneroo emulator, which
// Close stops.
func newShop(cfg config) (*shop, error) {
	if cfg.PublicURL == "" {
		return nil, errors.New("newShop: PublicURL is required")
	}
	if err := cfg.checkSecret(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &shop{cfg: cfg}
	sc := demo.ShopConfig{Title: "Cauri echo shop", PublicURL: cfg.PublicURL, Secret: cfg.Secret, Logger: log}
	if cfg.live() {
		mcfg := moneroo.Config{SecretKey: cfg.MonerooSecretKey, BaseURL: cfg.MonerooBaseURL, Logger: log}
		if cfg.MonerooWebhookSecret != "" {
			mcfg.WebhookSecrets = []string{cfg.MonerooWebhookSecret}
		} else {
			log.Warn("MONEROO_WEBHOOK_SECRET is not set: each webhook is confirmed with Moneroo's API before it counts")
		}
		log.Info("Moneroo webhooks must be set up in its dashboard", "url", cfg.PublicURL+"/pay/webhooks/moneroo")
		prov, err := moneroo.New(mcfg)
		if err != nil {
			return nil, fmt.Errorf("moneroo: %w", err)
		}
		sc.Providers = []cauri.Provider{prov}
	} else {
		if cfg.MonerooWebhookSecret != "" || cfg.MonerooBaseURL != "" {
			log.Warn("MONEROO_WEBHOOK_SECRET and MONEROO_BASE_URL are ignored without MONEROO_SECRET_KEY")
		}
		s.emu = monerootest.New(providertest.WithMerchant("Cauri echo shop"))
		sc.Emulators = []demo.Emulator{s.emu}
		log.Info("offline demo: payments go to the Moneroo emulator", "emulator", s.emu.URL)
	}
	var err error
	if s.Shop, err = demo.NewShop(sc); err != nil {
		return nil, err
	}
	return s, nil
}

// mode says where payments go, for the start-up line.
func (s *shop) mode() string {
	if s.emu != nil {
		return "offline: payments on the Moneroo emulator at " + s.emu.URL
	}
	base := s.cfg.MonerooBaseURL
	if base == "" {
		base = moneroo.DefaultBaseURL
	}
	return "live: payments on Moneroo at " + base
}

// router is the shop's echo application, with the whole kit under /pay.
func (s *shop) router() *echo.Echo { return s.routes(mountKit) }

// mountKit mounts the kit under /pay, stripped of that prefix, for every
// method: the kit answers 404 and 405 itself.
func mountKit(e *echo.Echo, kit *cauri.Kit) {
	e.Any("/pay/*", echo.WrapHandler(http.StripPrefix("/pay", kit)))
}

// routes is the shop's echo application: its pages, the kit as mount puts
// it under /pay, and the metrics, behind echo's middleware.
func (s *shop) routes(mount func(*echo.Echo, *cauri.Kit)) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(
		middleware.RequestID(),
		middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
			// The route, never the URI: the kit's return, callback and
			// status URLs carry tokens.
			LogMethod: true, LogRoutePath: true, LogStatus: true, LogLatency: true,
			LogRequestID: true, LogError: true, HandleError: true,
			LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
				attrs := []slog.Attr{
					slog.String("method", v.Method), slog.String("route", v.RoutePath), slog.Int("status", v.Status),
					slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID),
				}
				level := slog.LevelInfo
				if v.Error != nil || v.Status >= http.StatusInternalServerError {
					level = slog.LevelWarn
					if v.Error != nil {
						attrs = append(attrs, slog.String("err", v.Error.Error()))
					}
				}
				s.Log.LogAttrs(c.Request().Context(), level, "request", attrs...)
				return nil
			},
		}),
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				s.Log.Error("panic", "route", c.Path(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
					"err", err, "stack", string(stack))
				return err // to echo's error handler: 500
			},
		}),
		// The kit caps webhook bodies itself (Config.MaxWebhookBytes).
		middleware.BodyLimit("1M"),
		// The shop's payment pages carry tokens in their URL.
		middleware.SecureWithConfig(middleware.SecureConfig{
			ContentTypeNosniff: "nosniff", XFrameOptions: "DENY", ReferrerPolicy: "same-origin",
		}),
	)
	mount(e, s.Kit)
	e.GET("/", echo.WrapHandler(http.HandlerFunc(s.Home)))
	for _, page := range []string{"/thanks", "/sorry", "/waiting"} {
		e.GET(page, echo.WrapHandler(http.HandlerFunc(s.PaymentPage)))
	}
	e.GET("/metrics", echo.WrapHandler(s.Metrics()))
	return e
}
