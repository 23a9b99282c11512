"""The smart parcel locker: layout, inventory, reconciliation and the flows' door to them."""
