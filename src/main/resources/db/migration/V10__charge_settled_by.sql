-- What settled a charge (issue 17): 'request' (the answer to the request itself), 'inquiry' (that
-- answer completed by asking the PSP while the merchant waited), 'webhook' or 'reconciler'. Null
-- while the charge is not settled, and for charges settled before this migration. Written by the
-- same statement that settles the charge, so the two never disagree; a retry after 'failed'
-- clears it. (V9 and V10 are taken by other branches.)
ALTER TABLE charges ADD COLUMN settled_by text
  CHECK (settled_by IN ('request', 'inquiry', 'webhook', 'reconciler'));
