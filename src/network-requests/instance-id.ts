import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * An id for this server process, unique among the instances sharing one Redis: the host name
 * (a pod's name in Kubernetes) and a few random characters, as a restarted process on the
 * same host is another instance whose connections are not the old one's.
 */
export function newInstanceId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, '')
      .slice(0, 48) || 'ocs';
  return `${host}-${randomBytes(3).toString('hex')}`;
}
