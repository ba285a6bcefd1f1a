// Runs the fusionpay npm client for MoneyFusion, fusionpay@0.0.7,
// unchanged, against cauri's MoneyFusion emulator, and prints what it
// reports as one JSON object.
//
//   node fusionpay.cjs <emulator-url> pay <merchant-api-url> <webhook-url>
//   node fusionpay.cjs <emulator-url> status <token>
'use strict';

const [emulator, command, ...args] = process.argv.slice(2);

// The payment request goes to the merchant API URL given to the
// constructor, but checkPaymentStatus hard-codes
// https://www.pay.moneyfusion.net/paiementNotif/{token} (dist/FusionPay.js),
// with no option to change it, and Node 20's fetch honours no proxy
// variable. So the global fetch the SDK calls sends that host's requests
// to the emulator, path and query kept, as a forward proxy would; every
// URL the SDK asked for is reported.
const MONEYFUSION = 'https://www.pay.moneyfusion.net';
const requested = [];
const fetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  requested.push(url);
  if (url.startsWith(MONEYFUSION + '/')) {
    return fetch(emulator + url.slice(MONEYFUSION.length), init);
  }
  return fetch(input, init);
};

const { FusionPay } = require('fusionpay');

async function run() {
  switch (command) {
    case 'pay':
      return new FusionPay(args[0])
        .totalPrice(5000)
        .addArticle('Pagne wax', 3000)
        .addArticle('Panier', 2000)
        .addInfo({ orderId: '42' })
        .clientName('Awa Diallo')
        .clientNumber('0701020304')
        .returnUrl('https://shop.example/back')
        .webhookUrl(args[1])
        .makePayment();
    case 'status':
      return new FusionPay(emulator).checkPaymentStatus(args[0]);
  }
  throw new Error('unknown command ' + command);
}

run().then(
  (result) => ({ ok: true, result, requested }),
  (e) => ({ ok: false, error: String(e && e.message), requested }),
).then((out) => {
  process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(0));
});
