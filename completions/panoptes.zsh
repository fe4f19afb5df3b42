#compdef panoptes
#
# zsh completion for panoptes(1); installed by `make install` as _panoptes
# in a directory of $fpath (share/zsh/vendor-completions).
# SPDX-License-Identifier: MIT

local -a client common
client=(
	'--server[server base URL]:URL:_urls'
	'--apikey[API key (prefer PANOPTES_APIKEY)]:key:'
	'(-o --output)'{-o,--output}'[output format]:format:(text json jsonl csv)'
	'--fields[attributes to print]:fields:'
	'(-t --threshold)'{-t,--threshold}'[malicious verdicts that mean detected]:count:'
	'--timeout[seconds per request]:seconds:'
	'--retries[retries on 429/503]:count:'
	'--cacert[CA bundle]:file:_files'
	'(-v --verbose)'{-v,--verbose}'[trace requests]'
	'(-q --quiet)'{-q,--quiet}'[no progress]'
	'(-h --help)'{-h,--help}'[help]'
)
common=(
	'--data[data directory]:directory:_files -/'
	'--config[INI configuration]:file:_files'
	'*--set[SECTION.KEY=VALUE]:option:'
	'(-h --help)'{-h,--help}'[help]'
)
local -a types
types=(file url domain ip analysis comment collection)

_panoptes_cmd() {
	case $words[1] in
	serve) _arguments $common '--listen[HOST:PORT]:address:' '--workers[worker processes]:count:' ;;
	worker) _arguments $common '--notify-fd[wake-up pipe]:fd:' '--sandbox[run queued sandbox runs only]' ;;
	user) _arguments $common '--admin[administrator]' '--download[may download]' '1:action:(add)' '2:name:' ;;
	signatures) _arguments '--data[data directory]:directory:_files -/' '1:action:(reload)' ;;
	scan) _arguments $common $client '(-j --jobs)'{-j,--jobs}'[files at once]:count:' \
		'--remote[scan on the configured server]' '--rescan[analyse known files again]' \
		'--upload-url-above[bytes]:bytes:' '*:path:_files' ;;
	file) _arguments $client '*:hash:' ;;
	url) _arguments $client '--scan[submit first]' '*:URL:_urls' ;;
	domain) _arguments $client '*:domain:' ;;
	ip) _arguments $client '*:address:' ;;
	analysis) _arguments $client '--wait[until completed]' '*:analysis id:' ;;
	relations) _arguments $client '--limit[items]:count:' '--all[every item]' '--page-size[items per request]:count:' \
		'--descriptors[type and id only]' "1:type:($types)" '2:id:' \
		'3:relationship:(analyses submissions comments votes bundled_files contacted_domains contacted_ips contacted_urls dropped_files embedded_domains embedded_ips embedded_urls execution_parents compressed_parents similar_files behaviours resolutions subdomains communicating_files downloaded_files referrer_files urls item)' ;;
	comments) _arguments $client '--limit[items]:count:' '--all[every item]' "1:type:($types)" '2:id:' ;;
	comment) _arguments $client "1:type:($types)" '2:id:' '3:text:' ;;
	vote) _arguments $client "1:type:($types)" '2:id:' '3:verdict:(harmless malicious)' ;;
	download) _arguments $client '(-O --output-file)'{-O,--output-file}'[save as]:file:_files' '1:hash:' ;;
	search) _arguments $client '--limit[items]:count:' '--all[every item]' '1:query:' ;;
	esac
}

_arguments -C '--help[help]' '--version[version]' \
	'1:command:((serve\:"HTTP API server" worker\:"analysis worker" user\:"manage users"
	  signatures\:"reload engines" scan\:"scan files locally or on a server"
	  file\:"file reports" url\:"URL reports" domain\:"domain reports" ip\:"IP reports"
	  analysis\:"an analysis" relations\:"related objects" comments\:"list comments"
	  comment\:"add a comment" vote\:"vote on an object" download\:"save a sample"
	  search\:"search the server"))' \
	'*::arg:_panoptes_cmd'
