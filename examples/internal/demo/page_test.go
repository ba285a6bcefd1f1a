package demo

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestWritePage: a page is written whole with its status, never cached and
// sending no Referer off the site; a page that fails to render is a 500
// with nothing of it, and the failure is logged.
func TestWritePage(t *testing.T) {
	tests := []struct {
		name     string
		render   func(io.Writer) error
		wantCode int
		wantBody string
		wantLog  string
	}{
		{
			name:     "rendered",
			render:   func(w io.Writer) error { _, err := io.WriteString(w, "<h1>Thanks</h1>"); return err },
			wantCode: http.StatusAccepted,
			wantBody: "<h1>Thanks</h1>",
		},
		{
			name: "failed half-way",
			render: func(w io.Writer) error {
				_, _ = io.WriteString(w, "<h1>half")
				return errors.New("no such field")
			},
			wantCode: http.StatusInternalServerError,
			wantBody: "internal server error\n",
			wantLog:  "no such field",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			rec := httptest.NewRecorder()
			WritePage(rec, slog.New(slog.NewTextHandler(&logs, nil)), http.StatusAccepted, "thanks", tt.render)
			if rec.Code != tt.wantCode || rec.Body.String() != tt.wantBody {
				t.Errorf("HTTP %d %q, want %d %q", rec.Code, rec.Body.String(), tt.wantCode, tt.wantBody)
			}
			if tt.wantLog == "" {
				h := rec.Header()
				if h.Get("Content-Type") != "text/html; charset=utf-8" || h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "same-origin" {
					t.Errorf("header %v", h)
				}
			}
			if !bytes.Contains(logs.Bytes(), []byte(tt.wantLog)) || (tt.wantLog != "" && !bytes.Contains(logs.Bytes(), []byte("page=thanks"))) {
				t.Errorf("log %q, want %q", logs.String(), tt.wantLog)
			}
		})
	}
}
