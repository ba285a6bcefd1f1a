package moneroo

import (
	"testing"

	"github.com/cauripay/cauri"
	"github.com/cauripay/cauri/providers/providerhttp"
)

// emulatedWebhook and emulatedVerify are a paid payment's notification and
// verify answer as monerootest sends them.
const (
	emulatedWebhook = `{"event":"payment.success","data":{"id":"e1fa70e5-cf15-46f7-a1ce-673cdbe4cfef","amount":5000,"currency":"XOF",` +
		`"status":"success","metadata":{"cart":"c-9","cauri_payment_id":"pay_01","order_id":"ord-42"},"customer":{"id":` +
		`"037fe2a8e782","email":"awa@example.com","firstName":"Awa","lastName":"Diallo","phone":"2250701020304"}}}`
	emulatedVerify = `{"message":"Payment transaction fetched successfully!","data":{"amount":5000,"amount_formatted":"XOF 5000","ap` +
		`p":{"created_at":"2026-11-23T15:30:32.704590818Z","icon_url":null,"id":"01HHJYSA4VCBVK135N4KTYF76J","is_enable` +
		`d":true,"name":"Test Shop","updated_at":"2026-11-23T15:30:32.704590818Z","website_url":null},"capture":{"amoun` +
		`t":5000,"amount_formatted":"XOF 5000","context":{"ip":"127.0.0.1","local":"en"},"correction_rate":null,"curren` +
		`cy":{"code":"XOF","decimal_digits":0,"decimal_mark":",","decimals":0,"icon_url":"https://assets.cdn.moneroo.io` +
		`/currencies/XOF.svg","name":"CFA Franc BCEAO","name_plural":"CFA francs BCEAO","rounding":0,"subunit":"Centime` +
		`","subunit_to_unit":100,"symbol":"XOF","symbol_first":false,"symbol_native":"XOF","thousands_separator":"."},"` +
		`failure_error_code":null,"failure_error_type":null,"failure_message":null,"gateway":{"account_name":"Test Shop` +
		`","id":"6eip4udyt8o6","name":"Moneroo Test Payment Gateway","short_code":"moneroo_test","transaction_failure_m` +
		`essage":null,"transaction_id":"e1fa70e5-cf15-46f7-a1ce-673cdbe4cfef","transaction_status":"COMPLETED"},"identi` +
		`fier":"e1fa70e5-cf15-46f7-a1ce-673cdbe4cfef-capture","metadata":{"amount_debited":null,"commission":null,"fees` +
		`":null,"network_transaction_id":null,"selected_payment_method":"wave_ci"},"method":{"icon_url":"https://assets` +
		`.cdn.moneroo.io/icons/circle/wave_ci.svg","id":"m-wave_ci","name":"wave_ci","short_code":"wave_ci"},"phone_num` +
		`ber":"2250701020304","rate":null,"rate_formatted":null},"checkout_url":"http://127.0.0.1:34271/checkout/e1fa70` +
		`e5-cf15-46f7-a1ce-673cdbe4cfef","created_at":"2026-11-23T15:30:32.704590818Z","currency":{"code":"XOF","decima` +
		`l_digits":0,"decimal_mark":",","decimals":0,"icon_url":"https://assets.cdn.moneroo.io/currencies/XOF.svg","nam` +
		`e":"CFA Franc BCEAO","name_plural":"CFA francs BCEAO","rounding":0,"subunit":"Centime","subunit_to_unit":100,"` +
		`symbol":"XOF","symbol_first":false,"symbol_native":"XOF","thousands_separator":"."},"customer":{"address":null` +
		`,"city":null,"country":null,"country_code":"CI","created_at":"2026-11-23T15:30:32.704590818Z","email":"awa@exa` +
		`mple.com","first_name":"Awa","id":"037fe2a8e782","last_name":"Diallo","phone":"2250701020304","state":null,"up` +
		`dated_at":"2026-11-23T15:30:32.704590818Z","zip_code":null},"description":"Two baskets","environment":"sandbox` +
		`","id":"e1fa70e5-cf15-46f7-a1ce-673cdbe4cfef","initiated_at":"2026-11-23T15:30:32.704590818Z","is_processed":f` +
		`alse,"metadata":{"cart":"c-9","cauri_payment_id":"pay_01","order_id":"ord-42"},"processed_at":null,"return_url` +
		`":"https://shop.example/pay/return/moneroo?payment_id=pay_01\u0026token=t\u0026paymentId=e1fa70e5-cf15-46f7-a1` +
		`ce-673cdbe4cfef\u0026paymentStatus=success","status":"success"},"errors":null}`
)

// BenchmarkDecode measures the one-pass parsers: a notification without
// its signature check, and FetchStatus's reading of a verify answer.
func BenchmarkDecode(b *testing.B) {
	p, err := New(Config{SecretKey: "sk"})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(emulatedWebhook)
	b.Run("webhook/one-pass", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if u, err := p.ParseWebhook(nil, body); err != nil || u.Status != cauri.StatusPaid {
				b.Fatal(u, err)
			}
		}
	})
	answer := []byte(emulatedVerify)
	b.Run("verify-answer/one-pass", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var env struct {
				Data paymentField `json:"data"`
			}
			if err := providerhttp.DecodeJSON("application/json", answer, &env); err != nil {
				b.Fatal(err)
			}
			if d, err := env.Data.payment(); err != nil || !d.hasMoney {
				b.Fatal(d, err)
			}
		}
	})
}
