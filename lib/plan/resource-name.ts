/** Terraform resource name of a step id: `tomcat/restart/cs-ccm-pub/cisco-tomcat` → `tomcat__restart__cs-ccm-pub__cisco-tomcat`. */
export function stepResourceName(id: string): string {
  return id.replace(/\//g, '__').replace(/[^A-Za-z0-9_-]/g, '_');
}
