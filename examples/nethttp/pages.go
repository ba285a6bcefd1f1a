package main

// pagesHTML holds the shop's page templates. Each page gets a pageData; its
// Body is the page's own data.
const pagesHTML = `
{{define "top"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Cauri demo shop</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; color: #222; max-width: 62rem; margin: 0 auto; padding: 1rem; }
header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1px solid #ddd; margin-bottom: 1.5rem; }
header a { color: inherit; text-decoration: none; }
.brand { font-weight: 700; font-size: 1.2rem; }
.badge { font-size: .8rem; background: #fff3cd; border: 1px solid #e0c36a; border-radius: 1rem; padding: 0 .6rem; }
.product { border: 1px solid #ddd; border-radius: .5rem; padding: 1rem 1.5rem; }
button { font: inherit; background: #0b6e4f; color: #fff; border: 0; border-radius: .4rem; padding: .6rem 1.2rem; cursor: pointer; }
.note { color: #666; font-size: .9rem; }
.buy { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; }
.buy form { margin: 0; }
.buy small { display: block; font-size: .7rem; opacity: .8; }
.status { text-transform: uppercase; }
.orders { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eee; white-space: nowrap; }
code { font-size: .85rem; }
</style>
</head>
<body>
<header>
<a class="brand" href="/">Cauri demo shop</a>
<nav>{{with .Emulated}}<span class="badge" title="these providers run on emulators on this machine">offline: {{range $i, $l := .}}{{if $i}}, {{end}}{{$l}}{{end}}</span> {{end}}<a href="/orders">Orders</a></nav>
</header>
<main data-page="{{.Page}}">
{{end}}

{{define "bottom"}}</main>
</body>
</html>
{{end}}

{{define "buttons"}}<div class="buy">
{{range .Offers}}<form method="post" action="/pay/checkout/{{.Name}}" data-provider="{{.Name}}">
<input type="hidden" name="order" value="{{$.OrderID}}">
<input type="hidden" name="sku" value="{{$.SKU}}">
<button type="submit">{{$.Verb}} with {{.Label}}{{if .Emulated}}<small>emulator</small>{{end}}</button>
</form>
{{end}}</div>{{end}}

{{define "home"}}{{template "top" .}}{{with .Body}}
<article class="product">
<h1>{{.Product.Name}}, {{price .Product.Price .Product.Currency}}</h1>
<p>{{.Product.Description}}</p>
{{template "buttons" (buttons $.Offers .OrderID .Product.SKU (print "Pay " (price .Product.Price .Product.Currency)))}}
<p class="note">Order <code>{{.OrderID}}</code>. The buttons carry only this reference and the product's SKU: the price stays on the server.</p>
</article>
{{end}}{{with .Emulated}}<p class="note">Offline demo: the next page is the provider's emulator, whose Pay, Fail and Cancel buttons play the customer; "Pay later on my phone" brings you back here while the payment waits, and the emulated phone confirms it a few seconds later.</p>
{{end}}{{template "bottom" .}}{{end}}

{{define "thanks"}}{{template "top" .}}{{with .Body}}
<h1>Thank you!</h1>
<p>We received {{price .Amount .Currency}} through {{.ProviderLabel}}{{with .Order}} for your {{.Product.Name}} (order <code>{{.ID}}</code>){{end}}.</p>
<p>Payment <code>{{.PaymentID}}</code>: <strong class="status">{{.Status}}</strong></p>
<p><a href="/">Back to the shop</a></p>
{{end}}{{template "bottom" .}}{{end}}

{{define "sorry"}}{{template "top" .}}{{with .Body}}
<h1>Payment not completed</h1>
<p>Nothing was charged{{with .Order}} for your {{.Product.Name}} (order <code>{{.ID}}</code>){{end}}.</p>
<p>Payment <code>{{.PaymentID}}</code>: <strong class="status">{{.Status}}</strong></p>
{{with .Order}}{{if not .PaidBy}}<p>Try again:</p>
{{template "buttons" (buttons $.Offers .ID .SKU "Pay")}}
{{end}}{{end}}<p><a href="/">Back to the shop</a></p>
{{end}}{{template "bottom" .}}{{end}}

{{define "waiting"}}{{template "top" .}}{{with .Body}}
<h1>Waiting for your payment</h1>
<p>{{.ProviderLabel}} has not confirmed your payment of {{price .Amount .Currency}} yet. If a payment request came to your phone, confirm it there: this page moves on by itself once {{.ProviderLabel}} tells us.</p>
<p>Payment <code>{{.PaymentID}}</code>: <strong class="status" id="status">{{.Status}}</strong></p>
<p class="note"><a href="{{.WaitingURL}}">Check again</a></p>
<script>
(function () {
  var statusURL = {{.StatusURL}}, thanks = {{.ThanksURL}}, sorry = {{.SorryURL}};
  function poll() {
    fetch(statusURL, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (s && s.final) { location.replace(s.status === "paid" ? thanks : sorry); return; }
        if (s) { document.getElementById("status").textContent = s.status; }
        setTimeout(poll, 2000);
      }, function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 2000);
})();
</script>
{{end}}{{template "bottom" .}}{{end}}

{{define "orders"}}{{template "top" .}}{{with .Body}}
<h1>Orders</h1>
{{if .Rows}}<div class="orders"><table>
<thead><tr><th>Order</th><th>Item</th><th>Amount</th><th>Provider</th><th>Payment</th><th>Status</th><th>OnPaid calls</th></tr></thead>
<tbody>
{{range .Rows}}<tr data-order="{{.ID}}"><td><code>{{.ID}}</code></td><td>{{.Product.Name}}</td><td>{{price .Amount .Currency}}</td><td class="provider">{{if .LastProvider}}{{.ProviderLabel}}{{else}}-{{end}}</td><td>{{if .LastPayment}}<code>{{.LastPayment}}</code>{{if gt .Attempts 1}} ({{.Attempts}} attempts){{end}}{{else}}-{{end}}</td><td class="status">{{if .Status}}{{.Status}}{{else}}unknown{{end}}</td><td class="onpaid">{{.OnPaidCalls}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.Total}} {{if eq .Total 1}}order{{else}}orders{{end}}{{if gt .Total (len .Rows)}}, the {{len .Rows}} newest shown{{end}}. An order is recorded when its first checkout starts.</p>
{{else}}<p>No orders yet. <a href="/">Visit the shop.</a></p>
{{end}}{{end}}{{template "bottom" .}}{{end}}

{{define "message"}}{{template "top" .}}
<h1>{{.Title}}</h1>
<p>{{.Body}}</p>
<p><a href="/">Back to the shop</a></p>
{{template "bottom" .}}{{end}}
`
