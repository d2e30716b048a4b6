import { Page } from '../../page.js';

/** Placeholder: built in issue 28. */
export function PricingPage() {
  return <Page title="Pricing & features">{null}</Page>;
}
