// Package officialclients has no code of its own: its tests run the
// providers' official npm clients, unchanged, against cauri's emulators,
// so that the emulators are held to what real integrations send and read.
//
// The clients are pinned in testdata/package.json and
// testdata/package-lock.json: PayDunya's own SDK, paydunya@1.0.12, and
// fusionpay@0.0.7 for MoneyFusion. Small scripts beside them
// (testdata/paydunya.cjs, testdata/fusionpay.cjs) drive one client call
// each and print what the client reports as JSON, which the tests check.
// Only the clients' base URL is changed: PayDunya's through the SDK's
// Setup.baseURL, which every call is built from; MoneyFusion's merchant
// API URL through the constructor, and its hard-coded status host through
// the fetch the client calls, as a forward proxy would.
//
// The tests install the clients themselves, with npm ci from the lock file
// into testdata/node_modules (ignored by git), when it is missing or was
// installed from another lock file, within a time limit; they skip, saying
// why, when node or npm is missing or the install fails (no network).
package officialclients
