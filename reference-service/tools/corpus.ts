/** The knowledge base `search_knowledge` searches: help-centre articles of a fictional electronics shop. */
export interface KnowledgeArticle {
  id: string;
  title: string;
  body: string;
}

export const knowledgeCorpus: readonly KnowledgeArticle[] = Object.freeze([
  {
    id: 'kb-shipping-times',
    title: 'Shipping times',
    body: 'Standard shipping takes 3 to 5 business days. Express shipping takes 1 to 2 business days and is available for orders placed before 2 pm. Orders ship from our warehouse in Rotterdam.',
  },
  {
    id: 'kb-shipping-costs',
    title: 'Shipping costs',
    body: 'Standard shipping is free for orders over 50 USD; below that it costs 4.99 USD. Express shipping costs 14.99 USD regardless of the order total.',
  },
  {
    id: 'kb-returns',
    title: 'Returning an item',
    body: 'You can return most items within 30 days of delivery for a full refund. Start a return from the order page, print the prepaid label and drop the parcel at any carrier point. Opened headphones can be returned only if defective.',
  },
  {
    id: 'kb-refunds',
    title: 'Refund timing',
    body: 'Refunds are issued to the original payment method within 5 business days after the returned item reaches our warehouse. Card refunds can take another 3 to 10 days to appear on your statement.',
  },
  {
    id: 'kb-warranty',
    title: 'Warranty',
    body: 'All electronics carry a two-year warranty against manufacturing defects. Keyboards and mice carry a three-year warranty. Accidental damage is not covered; see extended protection plans.',
  },
  {
    id: 'kb-protection-plan',
    title: 'Extended protection plans',
    body: 'Protection plans extend the warranty to four years and cover accidental damage such as drops and spills. Plans can be added up to 30 days after purchase.',
  },
  {
    id: 'kb-order-tracking',
    title: 'Tracking an order',
    body: 'Once an order ships you receive an email with a tracking link. You can also ask the assistant to look up an order by its id, which looks like ORD-12345.',
  },
  {
    id: 'kb-order-cancel',
    title: 'Cancelling an order',
    body: 'Orders can be cancelled free of charge while their status is processing. Once shipped, an order can no longer be cancelled; return it after delivery instead.',
  },
  {
    id: 'kb-payment-methods',
    title: 'Payment methods',
    body: 'We accept Visa, Mastercard, American Express, PayPal, Apple Pay and bank transfer. Bank transfers must arrive within 7 days or the order is cancelled.',
  },
  {
    id: 'kb-invoices',
    title: 'Invoices and VAT',
    body: 'An invoice is attached to the shipping confirmation email. Business customers can add a VAT number at checkout; invoices cannot be changed after they are issued.',
  },
  {
    id: 'kb-password-reset',
    title: 'Resetting your password',
    body: 'Use "Forgot password" on the sign-in page to receive a reset link by email. The link expires after one hour. If no email arrives, check your spam folder.',
  },
  {
    id: 'kb-account-delete',
    title: 'Deleting your account',
    body: 'You can delete your account from the privacy settings. Order history is kept for seven years for tax reasons, but personal data is removed within 30 days.',
  },
  {
    id: 'kb-monitor-dead-pixels',
    title: 'Monitor dead pixel policy',
    body: 'Monitors with three or more dead pixels, or any dead pixel in the centre of the screen, are replaced under warranty.',
  },
  {
    id: 'kb-keyboard-layouts',
    title: 'Keyboard layouts',
    body: 'Mechanical keyboards are available in US, UK, German and Nordic layouts. Keycaps can be swapped; a keycap puller is included in the box.',
  },
  {
    id: 'kb-headphone-pairing',
    title: 'Pairing headphones',
    body: 'Hold the power button for five seconds until the light blinks blue, then select the headphones in your Bluetooth settings. They remember up to eight devices.',
  },
  {
    id: 'kb-dock-compatibility',
    title: 'Laptop dock compatibility',
    body: 'The laptop dock works with any laptop that supports USB-C DisplayPort alternate mode and power delivery. It drives two 4K monitors at 60 Hz.',
  },
  {
    id: 'kb-international',
    title: 'International delivery',
    body: 'We deliver to the EU, the UK, Norway and Switzerland. Customs duties for the UK, Norway and Switzerland are included in the price at checkout.',
  },
  {
    id: 'kb-contact',
    title: 'Contacting support',
    body: 'Support answers chat and email every day from 8 am to 8 pm CET. Phone support is available on weekdays. Have your order id ready.',
  },
]);
