/**
 * The pub/sub channel on which every instance hears that configuration changed (DESIGN §5):
 * tariffs, VPN groups, members and packages are cached per instance and dropped on a message.
 */
export const CONFIG_CHANNEL = 'ocs:config-changed';
