// Only what papi_flow.mjs uses: `papi generate` then emits a small descriptors package quickly
// (the whole Tangle runtime takes ~1 min of codegen and type checking on a loaded 2-core machine).
export const whitelist = [
  "query.System.Account",
  "query.System.Number",
  "tx.Balances.transfer_keep_alive",
  "event.System.*",
  "event.Balances.*",
  "event.TransactionPayment.*",
];
