/** SMART style document (hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#styling). */
export const SMART_STYLE = {
  color_background: '#f6f7f9',
  color_error: '#b3261e',
  color_highlight: '#1b6fa8',
  color_modal_backdrop: 'rgba(0, 0, 0, 0.4)',
  color_success: '#2e7d32',
  color_text: '#1f2933',
  dim_border_radius: '6px',
  dim_font_size: '16px',
  dim_spacing_size: '16px',
  font_family_body: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  font_family_heading: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
} as const;
