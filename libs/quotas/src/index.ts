// Quotas that turn a flood into backpressure: filled in by the quotas work (issue 8).
export {};
