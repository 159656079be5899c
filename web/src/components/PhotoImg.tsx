import type { Photo } from "../api/types";

const WIDTHS: [string, number][] = [
  ["w320", 320],
  ["w1024", 1024],
  ["w2048", 2048],
];

export function srcset(photo: Photo): string {
  return WIDTHS.filter(([name]) => photo.urls[name])
    .map(([name, width]) => `${photo.urls[name]} ${Math.min(width, photo.width)}w`)
    .join(", ");
}

interface Props {
  photo: Photo;
  alt: string;
  sizes: string;
  eager?: boolean;
}

export function PhotoImg({ photo, alt, sizes, eager = false }: Props) {
  return (
    <img
      src={photo.urls.w1024 ?? photo.urls.full}
      srcset={srcset(photo)}
      sizes={sizes}
      width={photo.width}
      height={photo.height}
      alt={alt}
      loading={eager ? "eager" : "lazy"}
      decoding="async"
      {...(eager ? { fetchpriority: "high" } : {})}
    />
  );
}
