-- The organisation's ticket categories (`/v1/categories`): admins add, rename, reorder and
-- archive them; a ticket's `category` stays a key (an unlisted one is still accepted, an
-- archived one stays on its tickets). A new organisation starts with the set every shop had,
-- labelled in English and French. At most 100 (`sav::categories`).
CREATE TABLE ticket_categories (
    key        text PRIMARY KEY CHECK (key ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    -- Its label in English, and in French when it differs (as custom fields' labels).
    label_en   text NOT NULL CHECK (char_length(label_en) BETWEEN 1 AND 100),
    label_fr   text CHECK (char_length(label_fr) BETWEEN 1 AND 100),
    position   integer NOT NULL CHECK (position >= 1),
    archived   boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_categories_order_idx ON ticket_categories (position, key);

INSERT INTO ticket_categories (key, label_en, label_fr, position) VALUES
    ('order', 'Order', 'Commande', 1),
    ('delivery', 'Delivery', 'Livraison', 2),
    ('return', 'Return', 'Retour', 3),
    ('refund', 'Refund', 'Remboursement', 4),
    ('payment_failure', 'Payment problem', 'Problème de paiement', 5),
    ('product', 'Product', 'Produit', 6),
    ('account', 'Account', 'Compte', 7),
    ('other', 'Other', 'Autre', 8);

-- Whether customers give an order number with a ticket: `hidden` (never asked, refused),
-- `optional` (the default, as before) or `required`. Staff and API keys may always set it.
ALTER TABLE ticket_settings
    ADD COLUMN order_number text NOT NULL DEFAULT 'optional' CHECK (order_number IN ('hidden', 'optional', 'required'));
