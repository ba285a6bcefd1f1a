package emulator

// WireForms returns the bytes a notification goes out as and the bytes
// its signature covers, for a provider whose documents show it in
// several forms. js is the notification as [Answers] renders it, the
// compact form JavaScript's JSON.stringify writes. It goes out as
// json.Marshal writes it ([HTMLSafe]) or, when php, as PHP's json_encode
// does ([EscapeAsPHP]); its signature covers the bytes sent or, when
// signJS, js itself, as a receiver that signs JSON.stringify's form of
// the body it parsed checks it.
func WireForms(js []byte, php, signJS bool) (body, signed []byte) {
	body = HTMLSafe(js)
	if php {
		body = EscapeAsPHP(js)
	}
	if signJS {
		return body, js
	}
	return body, body
}
