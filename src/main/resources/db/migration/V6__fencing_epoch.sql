-- Money safety across a fleet (issue 14): a fencing token per charge. The instance that claims a
-- charge owns it under epoch 1; every takeover by another instance raises the epoch. Before each
-- call that can move money, the owner proves in the statement that checkpoints the attempt that it
-- still owns the charge under its epoch (and that its own heartbeat lease is valid, by
-- PostgreSQL's clock); an instance paused past its lease, or whose charge was taken over, is
-- refused and sends nothing. The request path's outcome write is conditional on the same epoch.
ALTER TABLE charges ADD COLUMN owner_epoch bigint NOT NULL DEFAULT 1;
