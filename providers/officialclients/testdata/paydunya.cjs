// Runs PayDunya's official Node SDK, npm paydunya@1.0.12, unchanged,
// against cauri's PayDunya emulator, and prints what the SDK reports as one
// JSON object.
//
//   node paydunya.cjs <emulator-url> create <callback-url>
//   node paydunya.cjs <emulator-url> confirm <invoice-token>
//   node paydunya.cjs <emulator-url> credit <account-alias> <amount>
//
// The keys come from PAYDUNYA_MASTER_KEY, PAYDUNYA_PRIVATE_KEY and
// PAYDUNYA_TOKEN, which the SDK reads itself (lib/index.js Setup).
'use strict';

const paydunya = require('paydunya');

const [emulator, command, ...args] = process.argv.slice(2);

const setup = new paydunya.Setup({ mode: 'test' });
// Setup hard-codes https://app.paydunya.com/sandbox-api/v1 as baseURL, and
// every class builds its URLs from setup.baseURL (CheckoutInvoice adds
// /checkout-invoice, DirectPay /direct-pay): the emulator's sandbox root
// replaces it, and the SDK's own paths follow.
setup.baseURL = emulator + '/sandbox-api/v1';

const store = new paydunya.Store({
  name: 'Boutique Awa',
  tagline: 'Wax',
  phoneNumber: '338000000',
  postalAddress: 'Dakar',
  websiteURL: 'https://shop.example',
  returnURL: 'https://shop.example/back',
  cancelURL: 'https://shop.example/cancel',
  callbackURL: args[0] || undefined,
});

async function run() {
  switch (command) {
    case 'create': {
      const invoice = new paydunya.CheckoutInvoice(setup, store);
      invoice.addItem('Pagne wax', 2, 2500, 5000, 'Wax');
      invoice.addTax('TVA (18%)', 0);
      invoice.addCustomData('order_id', '42');
      invoice.description = 'Order 42';
      invoice.totalAmount = 5000;
      await invoice.create(); // creates, then confirms
      return {
        token: invoice.token, url: invoice.url, status: invoice.status,
        responseText: invoice.responseText, totalAmount: invoice.totalAmount,
      };
    }
    case 'confirm': {
      const invoice = new paydunya.CheckoutInvoice(setup, store);
      await invoice.confirm(args[0]);
      return {
        status: invoice.status, responseText: invoice.responseText, totalAmount: invoice.totalAmount,
        customer: invoice.customer, receiptURL: invoice.receiptURL, receiptIdentifier: invoice.receipt_identifier,
        providerReference: invoice.provider_reference, customData: invoice.customData,
      };
    }
    case 'credit': {
      const directPay = new paydunya.DirectPay(setup);
      await directPay.creditAccount(args[0], args[1]);
      return {
        responseText: directPay.responseText, description: directPay.description,
        transactionID: directPay.transactionID,
      };
    }
  }
  throw new Error('unknown command ' + command);
}

run().then(
  (result) => ({ ok: true, result }),
  (e) => ({ ok: false, error: String(e && e.message), data: e && e.data }),
).then((out) => {
  process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(0));
});
