package cauri

import (
	"fmt"
	"strconv"
	"strings"
)

// CurrencyExponent returns the number of decimal places of an ISO 4217
// currency: 0 for XOF, XAF, GNF and the other currencies without a subunit,
// 3 for BHD, IQD, JOD, KWD, LYD, OMR and TND, and 2 for the rest.
func CurrencyExponent(currency string) int {
	switch currency {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
		"UGX", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}

var pow10 = [...]int64{1, 10, 100, 1000}

// FormatAmount writes an amount in smallest units as a decimal string in the
// currency's main unit: FormatAmount(1050, "USD") is "10.50",
// FormatAmount(5000, "XOF") is "5000".
func FormatAmount(amount int64, currency string) string {
	exp := CurrencyExponent(currency)
	if exp == 0 {
		return strconv.FormatInt(amount, 10)
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	unit := pow10[exp]
	return fmt.Sprintf("%s%d.%0*d", sign, amount/unit, exp, amount%unit)
}

// WholeUnits converts an amount in smallest units to whole main units, for
// providers whose API takes integers only. It fails when the amount has a
// fractional part: 1050 USD cents cannot be sent as a whole number of
// dollars, and rounding would charge the wrong amount.
func WholeUnits(amount int64, currency string) (int64, error) {
	unit := pow10[CurrencyExponent(currency)]
	if amount%unit != 0 {
		return 0, fmt.Errorf("%w: %s %s has a fractional part and the provider takes whole units only",
			ErrMalformed, FormatAmount(amount, currency), currency)
	}
	return amount / unit, nil
}

// ParseAmount reads a decimal amount in the currency's main unit, as
// providers write it ("5000", "5000.00", "10.5", 200 as a JSON number), and
// returns it in smallest units exactly. It refuses more decimals than the
// currency has, unless they are zeros, and anything that is not a plain
// non-negative decimal number.
func ParseAmount(s, currency string) (int64, error) {
	s = strings.TrimSpace(s)
	bad := func() (int64, error) { return 0, fmt.Errorf("%w: amount %q", ErrMalformed, s) }
	if s == "" || len(s) > 30 {
		return bad()
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") {
		return bad()
	}
	exp := CurrencyExponent(currency)
	trimmed := strings.TrimRight(frac, "0")
	if len(trimmed) > exp {
		return bad()
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return bad()
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 100_000_000_000_000 {
		return bad()
	}
	var f int64
	if trimmed != "" {
		f, _ = strconv.ParseInt(trimmed, 10, 64)
		f *= pow10[exp-len(trimmed)]
	}
	return w*pow10[exp] + f, nil
}
