package demo

import (
	"strings"
	"testing"
)

func TestLoadEnv(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		want    Env
		wantErr string
	}{
		{env: nil, want: Env{Addr: "127.0.0.1:8082"}},
		{env: map[string]string{"ADDR": ":0", "PUBLIC_URL": "https://shop.example/"}, want: Env{Addr: ":0", PublicURL: "https://shop.example"}},
		{env: map[string]string{"ADDR": " :0 ", "CAURI_SECRET": strings.Repeat("s", 32)}, want: Env{Addr: ":0", Secret: strings.Repeat("s", 32)}},
		{env: map[string]string{"PUBLIC_URL": "https://shop.example/shop"}, wantErr: "PUBLIC_URL"},
		{env: map[string]string{"PUBLIC_URL": "ftp://shop.example"}, wantErr: "PUBLIC_URL"},
		{env: map[string]string{"PUBLIC_URL": "https://user@shop.example"}, wantErr: "PUBLIC_URL"},
		{env: map[string]string{"CAURI_SECRET": "short"}, wantErr: "CAURI_SECRET is too short"},
	} {
		got, err := LoadEnv(func(k string) string { return tc.env[k] }, "127.0.0.1:8082")
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: err = %v, want one with %q", tc.env, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%v: err = %v", tc.env, err)
		case got != tc.want:
			t.Errorf("%v: %+v, want %+v", tc.env, got, tc.want)
		}
	}
}

func TestCheckSecret(t *testing.T) {
	long := strings.Repeat("s", 32)
	for _, tc := range []struct {
		secret  string
		live    []string
		wantErr string
	}{
		{secret: ""},
		{secret: long},
		{secret: long, live: []string{"moneroo"}},
		{secret: "", live: []string{"moneroo", "paydunya"}, wantErr: "CAURI_SECRET is required with a real provider (moneroo, paydunya)"},
		{secret: "short", wantErr: "CAURI_SECRET is too short"},
	} {
		err := CheckSecret(tc.secret, tc.live...)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("CheckSecret(%q, %v) = %v, want %q", tc.secret, tc.live, err, tc.wantErr)
		}
	}
}

func TestDefaultPublicURL(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want string
	}{
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"0.0.0.0:8080", "http://127.0.0.1:8080"},
		{"[::]:8080", "http://127.0.0.1:8080"},
		{"[::1]:8080", "http://[::1]:8080"},
		{"shop.internal:8080", "http://shop.internal:8080"},
	} {
		if got := DefaultPublicURL(fakeAddr(tc.addr)); got != tc.want {
			t.Errorf("DefaultPublicURL(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// fakeAddr is a net.Addr that is its string, as a listener's is.
type fakeAddr string

func (a fakeAddr) Network() string { return "tcp" }
func (a fakeAddr) String() string  { return string(a) }
