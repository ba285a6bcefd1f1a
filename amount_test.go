package cauri_test

import (
	"errors"
	"testing"

	"github.com/cauripay/cauri"
)

func TestFormatAmount(t *testing.T) {
	tests := []struct {
		amount   int64
		currency string
		want     string
	}{
		{5000, "XOF", "5000"},
		{0, "XAF", "0"},
		{1050, "USD", "10.50"},
		{5, "USD", "0.05"},
		{-1050, "USD", "-10.50"},
		{1234, "KWD", "1.234"},
		{100, "GNF", "100"},
	}
	for _, tt := range tests {
		if got := cauri.FormatAmount(tt.amount, tt.currency); got != tt.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", tt.amount, tt.currency, got, tt.want)
		}
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in       string
		currency string
		want     int64
		wantErr  bool
	}{
		{"5000", "XOF", 5000, false},
		{"5000.00", "XOF", 5000, false},
		{" 200 ", "XOF", 200, false},
		{"10.5", "USD", 1050, false},
		{"10.50", "USD", 1050, false},
		{"0.05", "USD", 5, false},
		{"1.234", "KWD", 1234, false},
		{"5000.5", "XOF", 0, true},
		{"10.505", "USD", 0, true},
		{"-5", "XOF", 0, true},
		{"1e3", "XOF", 0, true},
		{"", "XOF", 0, true},
		{".5", "USD", 0, true},
		{"5.", "USD", 0, true},
		{"1,000", "XOF", 0, true},
		{"NaN", "XOF", 0, true},
		{"99999999999999999999", "XOF", 0, true},
	}
	for _, tt := range tests {
		got, err := cauri.ParseAmount(tt.in, tt.currency)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d, err=%v", tt.in, tt.currency, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, cauri.ErrMalformed) {
			t.Errorf("ParseAmount(%q) error %v does not wrap ErrMalformed", tt.in, err)
		}
	}
}

func TestWholeUnits(t *testing.T) {
	tests := []struct {
		amount   int64
		currency string
		want     int64
		wantErr  bool
	}{
		{5000, "XOF", 5000, false},
		{1000, "USD", 10, false},
		{1050, "USD", 0, true},
	}
	for _, tt := range tests {
		got, err := cauri.WholeUnits(tt.amount, tt.currency)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("WholeUnits(%d, %s) = %d, %v", tt.amount, tt.currency, got, err)
		}
	}
}

// FuzzParseAmount: whatever a provider sends, parsing never panics, and what
// parses formats back to the same value.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"5000", "10.50", "0.05", "1.234", "", "-1", "1e9", "007", "5000.000"} {
		f.Add(s, "XOF")
		f.Add(s, "USD")
	}
	f.Fuzz(func(t *testing.T, s, currency string) {
		v, err := cauri.ParseAmount(s, currency)
		if err != nil {
			return
		}
		if v < 0 {
			t.Fatalf("ParseAmount(%q) = %d, negative", s, v)
		}
		back, err := cauri.ParseAmount(cauri.FormatAmount(v, currency), currency)
		if err != nil || back != v {
			t.Fatalf("round trip of %q: %d → %q → %d, %v", s, v, cauri.FormatAmount(v, currency), back, err)
		}
	})
}
