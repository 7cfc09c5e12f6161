#!/usr/bin/env bash
# Re-vendor the front-end assets from their npm packages (no CDN: the CSP and the closed network forbid it).
# Run by hand when upgrading; the results are committed under src/iomshare/web/public/assets/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/src/iomshare/web/public/assets"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts \
  govuk-frontend@6.6.0 @ministryofjustice/frontend@11.1.0 axe-core@4.14.1 htmx.org@2.0.11 >/dev/null
nm=node_modules
rm -rf "$dest/fonts" "$dest/images" "$dest/vendor"
mkdir -p "$dest/fonts" "$dest/images" "$dest/vendor/licences"
cp "$nm"/govuk-frontend/dist/govuk/assets/fonts/* "$dest/fonts/"
cp "$nm"/govuk-frontend/dist/govuk/assets/images/* "$dest/images/"
cp "$nm"/govuk-frontend/dist/govuk/assets/manifest.json "$dest/"
cp "$nm"/@ministryofjustice/frontend/moj/assets/images/* "$dest/images/"
cp "$nm"/govuk-frontend/dist/govuk/govuk-frontend.min.{css,js} "$dest/vendor/"
cp "$nm"/@ministryofjustice/frontend/moj/moj-frontend.min.{css,js} "$dest/vendor/"
cp "$nm"/htmx.org/dist/htmx.min.js "$dest/vendor/"
cp "$nm"/axe-core/axe.min.js "$dest/vendor/"   # used by the browser tests' accessibility checks
cp "$nm"/htmx.org/LICENSE "$dest/vendor/licences/htmx.org-LICENSE"
cp "$nm"/axe-core/LICENSE "$dest/vendor/licences/axe-core-LICENSE"
cp "$nm"/axe-core/LICENSE-3RD-PARTY.txt "$dest/vendor/licences/axe-core-LICENSE-3RD-PARTY.txt"
for pkg in govuk-frontend @ministryofjustice/frontend; do
  name=$(basename "$pkg")
  node -e "const p=require('./$nm/$pkg/package.json');console.log(p.name+' '+p.version+'\nLicence: '+p.license+' (declared in package.json; the npm package ships no separate licence file)\nSource: '+(p.repository&&p.repository.url||p.homepage))" \
    > "$dest/vendor/licences/$name-LICENCE.txt"
done
cat "$here/scripts/MIT-LICENCE-TEXT.txt" >> "$dest/vendor/licences/govuk-frontend-LICENCE.txt"
cat "$here/scripts/MIT-LICENCE-TEXT.txt" >> "$dest/vendor/licences/frontend-LICENCE.txt"
echo "vendored into $dest"
