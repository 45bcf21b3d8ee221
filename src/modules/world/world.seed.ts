import { NpcRole } from './npc-role';

/**
 * The world map: reference data. The world migration inserts exactly this, so
 * PGlite and PostgreSQL hold the same world, and tests and the game master can
 * read it without a query. To change the world later, edit this file and add a
 * migration that makes the same change idempotently (upsert or delete): fresh
 * databases get the new data through the world migration, which reads this file,
 * and existing ones through the new migration.
 */

export interface LocationSeed {
  id: string;
  name: string;
  region: string;
  description: string;
}

export interface NpcSeed {
  id: string;
  name: string;
  role: NpcRole;
  locationId: SeedLocationId;
  description: string;
}

export const REGIONS = {
  MILLBROOK: 'Millbrook',
  WHISPERING_WOODS: 'Whispering Woods',
  IRONPEAK: 'Ironpeak Mountains',
  SALTMARSH: 'Saltmarsh Coast',
} as const;

const LOCATION_LIST = [
  // Millbrook
  {
    id: 'millbrook-square',
    name: 'Millbrook Square',
    region: REGIONS.MILLBROOK,
    description:
      'The cobbled heart of Millbrook, ringed by timber-framed houses that lean together like gossiping neighbours. A moss-green fountain of a kneeling shepherd burbles at its centre, and the notice board by the well is thick with pinned pleas for help. Lanes lead off to the market, the inn, the chapel and the old mill; westward the road narrows toward the dark line of the woods.',
  },
  {
    id: 'gilded-tankard',
    name: 'The Gilded Tankard',
    region: REGIONS.MILLBROOK,
    description:
      'A low-beamed inn that smells of woodsmoke, spilled cider and fresh bread. A great hearth warms the common room, where farmers, drovers and the occasional tight-lipped adventurer trade news over tankards that were gilded once, long ago. The rooms upstairs are cheap, and the stew is better than it has any right to be.',
  },
  {
    id: 'millbrook-market',
    name: 'Market Row',
    region: REGIONS.MILLBROOK,
    description:
      'A crooked lane of striped awnings and creaking stalls. Cheesemongers shout over tinkers, a goose escapes twice an hour, and the spice seller from the coast swears every jar is the last of its kind. At the north end, ore carts from the mountains rattle past toward the forge.',
  },
  {
    id: 'emberfall-forge',
    name: 'Emberfall Forge',
    region: REGIONS.MILLBROOK,
    description:
      'Heat rolls out of the open doors of the village forge in waves. Horseshoes, ploughshares and the odd sword hang from the rafters, and the anvil rings from dawn to dusk. Behind the smithy, the old ore road climbs north toward the grey shoulders of the Ironpeaks.',
  },
  {
    id: 'dawn-chapel',
    name: 'Chapel of the Dawn',
    region: REGIONS.MILLBROOK,
    description:
      'A small stone chapel whose east window catches the first light of morning and scatters it in gold across the pews. Bundles of herbs dry along the vestry wall, and the sick of three villages come here to be tended. It is quiet, and it smells of beeswax and lavender.',
  },
  {
    id: 'old-mill',
    name: 'The Old Mill',
    region: REGIONS.MILLBROOK,
    description:
      "A weathered watermill on the southern edge of the village, its great wheel still turning though the stones have not ground grain in years. The river runs fast and brown beneath it before it widens and slows toward the salt flats of the coast. Children swear the miller's ghost counts sacks in the loft at night.",
  },
  // The Whispering Woods
  {
    id: 'woodsedge',
    name: 'Woodsedge',
    region: REGIONS.WHISPERING_WOODS,
    description:
      'Where the last hedgerows of Millbrook give up, the trees begin: old beeches and oaks whose canopy swallows the daylight. A waymarker stone, half eaten by ivy, points down three paths. The wind here never quite stops, and it sounds almost like voices.',
  },
  {
    id: 'hunters-lodge',
    name: "Hunter's Lodge",
    region: REGIONS.WHISPERING_WOODS,
    description:
      'A sturdy log lodge hung with antlers, drying pelts and bundles of arrows. A smoke-blackened chimney leans against one wall, and a tally of wolves is carved into the doorframe. From the back porch a deer track winds up through the hills toward the mountains.',
  },
  {
    id: 'whispering-glade',
    name: 'The Whispering Glade',
    region: REGIONS.WHISPERING_WOODS,
    description:
      'A round clearing of silver grass ringed by birches so pale they seem to glow at dusk. The leaves murmur even on windless days, and those who stand still long enough say they can make out words. Faded ribbons, left as offerings, flutter from the lowest branches.',
  },
  {
    id: 'elder-oak',
    name: 'The Elder Oak',
    region: REGIONS.WHISPERING_WOODS,
    description:
      'An oak so vast that its roots form caves and its crown is lost in mist. Carvings older than Millbrook spiral around the trunk, and a spring wells up cold and clear between two roots. Nothing hunts within a hundred paces of the tree, and nothing seems to know why.',
  },
  {
    id: 'greywillow-hollow',
    name: 'Greywillow Hollow',
    region: REGIONS.WHISPERING_WOODS,
    description:
      'A damp dell where willows trail their hair into black pools and fireflies drift at noon. A crooked cottage with a turf roof squats among the roots, its windows crowded with jars. A barely visible path slips south through the reeds toward the smell of the sea.',
  },
  // The Ironpeak Mountains
  {
    id: 'ironpeak-foothills',
    name: 'Ironpeak Foothills',
    region: REGIONS.IRONPEAK,
    description:
      'Scree slopes and stubborn pines, cut by the rutted ore road. Cairns mark the way between boulders the size of cottages, and goats watch travellers with open contempt. Above, the peaks stand grey and white, and the wind carries the distant thud of picks.',
  },
  {
    id: 'deepdelve-mine',
    name: 'Deepdelve Mine',
    region: REGIONS.IRONPEAK,
    description:
      "A gaping adit shored with timbers as thick as a man's waist, breathing cold air that smells of wet stone and lamp oil. Rails run into the dark, and somewhere below a pump wheezes without rest. The miners have stopped going past the third level, and none of them will say why.",
  },
  {
    id: 'frostwind-pass',
    name: 'Frostwind Pass',
    region: REGIONS.IRONPEAK,
    description:
      'A narrow saddle between two peaks where the snow never fully melts. The wind screams through it hard enough to knock a careless traveller off their feet, and frozen prayer flags crack like whips overhead. Old bones lie under the ice, and not all of them are human.',
  },
  {
    id: 'eagles-watch',
    name: "Eagle's Watch",
    region: REGIONS.IRONPEAK,
    description:
      "A ruined watchtower on a crag above the pass, its stair spiralling up into open sky. From the top the whole land lies below: the woods like a dark fleece, the glint of Millbrook's roofs and, far to the south, the silver line of the sea. Eagles nest in the broken battlements.",
  },
  // The Saltmarsh Coast
  {
    id: 'saltmarsh-causeway',
    name: 'Saltmarsh Causeway',
    region: REGIONS.SALTMARSH,
    description:
      'A raised road of packed stone and driftwood posts crossing miles of reed beds and tidal pools. Herons stalk the shallows, and at high tide the water laps over the road itself. Lanterns on poles mark the safe way; the locals say never to follow the ones that move.',
  },
  {
    id: 'gullhaven-harbour',
    name: 'Gullhaven Harbour',
    region: REGIONS.SALTMARSH,
    description:
      "A bustling little port of tarred jetties, salt-crusted warehouses and gulls that steal anything not nailed down. Fishing boats crowd the quays at dusk, and the harbourmaster's bell rings in every ship that comes and goes. The taverns smell of brine and rope, and the news here comes from every shore.",
  },
  {
    id: 'drowned-lighthouse',
    name: 'The Drowned Lighthouse',
    region: REGIONS.SALTMARSH,
    description:
      'A lighthouse on a tidal islet, reachable on foot only at low water. The sea has claimed its lower floors and barnacles crust the spiral stair, yet on moonless nights its lamp still burns, though no one has ever been seen to tend it.',
  },
  {
    id: 'smugglers-cove',
    name: "Smuggler's Cove",
    region: REGIONS.SALTMARSH,
    description:
      'A hidden inlet beneath chalk cliffs, reached by a slippery path through the reeds. Caves honeycomb the rock, some with doors fitted into them, and the sand bears the keel marks of boats that never call at Gullhaven. Nobody here asks your name, and it is wise to return the courtesy.',
  },
] as const satisfies readonly LocationSeed[];

export type SeedLocationId = (typeof LOCATION_LIST)[number]['id'];

export const LOCATIONS: readonly LocationSeed[] = LOCATION_LIST;

/** Where every new character starts. */
export const STARTING_LOCATION_ID: SeedLocationId = 'millbrook-square';

/** Two-way paths: the migration inserts an exit in each direction. */
export const PATHS: readonly (readonly [SeedLocationId, SeedLocationId])[] = [
  ['millbrook-square', 'gilded-tankard'],
  ['millbrook-square', 'millbrook-market'],
  ['millbrook-square', 'dawn-chapel'],
  ['millbrook-square', 'old-mill'],
  ['millbrook-square', 'woodsedge'],
  ['millbrook-market', 'emberfall-forge'],
  // The ore road.
  ['emberfall-forge', 'ironpeak-foothills'],
  ['woodsedge', 'hunters-lodge'],
  ['woodsedge', 'whispering-glade'],
  ['whispering-glade', 'elder-oak'],
  ['whispering-glade', 'greywillow-hollow'],
  // The deer track.
  ['hunters-lodge', 'ironpeak-foothills'],
  ['ironpeak-foothills', 'deepdelve-mine'],
  ['ironpeak-foothills', 'frostwind-pass'],
  ['frostwind-pass', 'eagles-watch'],
  // Down the river to the sea.
  ['old-mill', 'saltmarsh-causeway'],
  ['saltmarsh-causeway', 'gullhaven-harbour'],
  ['gullhaven-harbour', 'drowned-lighthouse'],
  ['gullhaven-harbour', 'smugglers-cove'],
  // The smugglers' path through the reeds.
  ['smugglers-cove', 'greywillow-hollow'],
];

export const NPCS: readonly NpcSeed[] = [
  {
    id: 'elder-rowan-ashby',
    name: 'Elder Rowan Ashby',
    role: NpcRole.QUEST_GIVER,
    locationId: 'millbrook-square',
    description:
      "Millbrook's white-bearded elder, leaning on a staff cut from the Elder Oak. Kindly but careworn: wolves in the woods, silence from the mine and lights on the marsh keep him awake, and he pays adventurers to look into all three.",
  },
  {
    id: 'sergeant-tobin-marsh',
    name: 'Sergeant Tobin Marsh',
    role: NpcRole.GUARD,
    locationId: 'millbrook-square',
    description:
      'The village watchman, grey at the temples and proud of his polished helm. Dutiful, suspicious of strangers and secretly longing for something, anything, to happen on his watch.',
  },
  {
    id: 'marta-hollowell',
    name: 'Marta Hollowell',
    role: NpcRole.INNKEEPER,
    locationId: 'gilded-tankard',
    description:
      'Round-faced, sharp-eyed keeper of the Gilded Tankard. Warm to paying guests, merciless to brawlers, and the best-informed person in Millbrook: every rumour crosses her bar sooner or later.',
  },
  {
    id: 'odo-pennywhistle',
    name: 'Odo Pennywhistle',
    role: NpcRole.MERCHANT,
    locationId: 'millbrook-market',
    description:
      "A cheerful, fast-talking trader with a cart of potions, rope, lanterns and 'genuine' relics. Haggles for sport and always seems to have exactly what you need, for a price.",
  },
  {
    id: 'brannoc-ironhand',
    name: 'Brannoc Ironhand',
    role: NpcRole.BLACKSMITH,
    locationId: 'emberfall-forge',
    description:
      "A soot-streaked giant of few words who lost two fingers reshaping a blade that did not want to be reshaped. Makes honest steel at honest prices and can tell a sword's history by its ring.",
  },
  {
    id: 'sister-maelis',
    name: 'Sister Maelis',
    role: NpcRole.HEALER,
    locationId: 'dawn-chapel',
    description:
      'A soft-spoken priestess of the Dawn with herb-stained hands. Heals anyone who asks and questions nobody, though her gaze lingers on wounds that no beast could have made.',
  },
  {
    id: 'fenwick-thorne',
    name: 'Fenwick Thorne',
    role: NpcRole.HUNTER,
    locationId: 'hunters-lodge',
    description:
      'A wiry trapper who talks more to his hounds than to people. Knows every trail in the Whispering Woods and trades pelts and arrows; lately he has been finding wolf tracks far too large for any wolf.',
  },
  {
    id: 'old-nan-greywillow',
    name: 'Old Nan Greywillow',
    role: NpcRole.SAGE,
    locationId: 'greywillow-hollow',
    description:
      'A hunched hedge-witch older than anyone can remember, with a crow on her shoulder and a riddle for every question. Brews remedies and curses with equal skill, and always wants something in return.',
  },
  {
    id: 'thrain-copperbeard',
    name: 'Thrain Copperbeard',
    role: NpcRole.QUEST_GIVER,
    locationId: 'deepdelve-mine',
    description:
      'The dwarven foreman of Deepdelve, with a braided copper beard and a lantern that never leaves his hand. Proud of his mine and ashamed of his frightened crew, he wants the third level cleared and will pay in silver.',
  },
  {
    id: 'ysolde-the-watcher',
    name: 'Ysolde the Watcher',
    role: NpcRole.SAGE,
    locationId: 'eagles-watch',
    description:
      'A hermit astronomer living in the ruined tower with her star charts and a dented brass telescope. Speaks in omens, and knows old lore of the mountains, the Elder Oak and the drowned light.',
  },
  {
    id: 'corin-gale',
    name: 'Harbourmaster Corin Gale',
    role: NpcRole.QUEST_GIVER,
    locationId: 'gullhaven-harbour',
    description:
      'A weather-beaten former captain who runs Gullhaven with a bell and a ledger. Smugglers cost him his tariffs, a ship vanished off the lighthouse last week, and he wants answers about both.',
  },
  {
    id: 'ilsa-brightnet',
    name: 'Ilsa Brightnet',
    role: NpcRole.MERCHANT,
    locationId: 'gullhaven-harbour',
    description:
      'A fishwife turned trader who sells nets, salt, smoked fish and sea charts from the quay. Shrewd, generous to regulars, and on first-name terms with every captain on the coast.',
  },
  {
    id: 'salty-meg',
    name: 'Salty Meg',
    role: NpcRole.MERCHANT,
    locationId: 'smugglers-cove',
    description:
      "A one-eyed fence with a laugh like a gull's cry. Buys anything, sells anything and asks nothing; her goods are cheap because nobody paid for them in the first place.",
  },
  {
    id: 'keeper-aldous',
    name: 'Keeper Aldous',
    role: NpcRole.SAGE,
    locationId: 'drowned-lighthouse',
    description:
      'The pale, dripping keeper of the drowned lamp, who insists it is still the year the lighthouse fell. Courteous, sorrowful and unaware that he is dead; he remembers what went down with the last ship.',
  },
];
