/**
 * The fetch wrapper for the service's JSON API: JSON (or GeoJSON) back, or an ApiError carrying
 * the HTTP status and the service's own explanation.
 */

/** A failed API call, with the service's own explanation. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** JSON (or GeoJSON) from the API; throws ApiError with the service's detail. */
export async function getJSON(url, signal) {
  const response = await fetch(url, { signal, headers: { Accept: 'application/json, application/geo+json' } });
  if (!response.ok) {
    let detail = `The service answered ${response.status}.`;
    try {
      detail = (await response.json()).detail || detail;
    } catch {
      // not JSON: keep the generic message
    }
    throw new ApiError(response.status, detail);
  }
  return response.json();
}
