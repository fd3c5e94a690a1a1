// Fixed paths inside the guest that the generated scripts and provisioners agree on.
export const GUEST_STAGING = '/tmp/amibake';
export const GUEST_FILES = '/tmp/amibake/files';
/** Where sources are uploaded (AMIBAKE_SOURCES_DIR); a source's own destination is a copy. */
export const GUEST_SOURCES = '/tmp/amibake/sources';
// .deb files fetched on the host for an offline bake.
export const GUEST_DEBS = '/tmp/amibake/debs';
/** The kernel and initrd are copied here, readable by the build user, for download. */
export const GUEST_BOOT_EXPORT = '/tmp/amibake-boot';
